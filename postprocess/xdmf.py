"""XDMF descriptions of a 2-D/3-D cartsim run file, for ParaView / VisIt.

write_xdmf("lesion2d.h5") writes two files beside it, each a temporal
collection with one uniform grid per field snapshot, reading the same data:

  lesion2d.xmf        XDMF 3: ParaView's default readers (Xdmf3ReaderS/T).
                      Each snapshot is an HDF data item with XDMF 3's slab
                      suffix "file.h5:/fields/a|start:stride:count:dims".
  lesion2d.xdmf2.xmf  XDMF 2 with HyperSlab data items: ParaView's "XDMF
                      Reader" and VisIt. (ParaView's XDMF 3 readers load the
                      mesh of a HyperSlab file but none of its arrays, and
                      XDMF 2 readers do not know the slab suffix: no single
                      file serves both.)

The mesh is a 3DCoRectMesh whose nodes are the cell centres (origin dz/2,
dy/2, dx/2; spacing from /grid), so every species is an Attribute with
Center="Node" selecting snapshot t of /fields/<species> [t, nz(, ny), nx]
(the HDF5 file is referred to by its base name: keep the .xmf next to the
.h5). In 3-D, x, y and depth z are ParaView's X, Y, Z; a 2-D run is one
layer thick, with x along X and depth z along Y: ParaView's default view
looks at it face on, surface up.
"""

import os
import xml.etree.ElementTree as ET

from .reader import Run


def _item(parent, text, **attrs):
    e = ET.SubElement(parent, "DataItem", {k: str(v) for k, v in attrs.items()})
    e.text = text
    return e


def _ints(values):
    return " ".join(str(int(v)) for v in values)


def _document(run, h5name, dialect):
    """The XML tree of one dialect ("xdmf3" or "xdmf2")."""
    g = run.grid
    times = run.field_times
    if g.dim == 2:  # [t, nz, nx] seen as [t, 1, nz, nx]: XDMF's Z Y X = (1 layer, depth, x)
        mesh, lengths = [1, g.nz, g.nx], [1.0, g.H, g.Lx]
        stored = [g.nz, g.nx]
    else:
        mesh, lengths = [g.nz, g.ny, g.nx], [g.H, g.Ly, g.Lx]
        stored = mesh
    spacing = [L / n for L, n in zip(lengths, mesh)]
    origin = [d / 2 for d in spacing]
    if g.dim == 2:
        origin[0], spacing[0] = 0.0, 1.0
    dims = _ints(mesh)
    full = [len(times)] + stored

    root = ET.Element("Xdmf", Version="3.0" if dialect == "xdmf3" else "2.0")
    domain = ET.SubElement(root, "Domain")
    coll = ET.SubElement(domain, "Grid", Name="cartsim", GridType="Collection", CollectionType="Temporal")
    for k, t in enumerate(times):
        grid = ET.SubElement(coll, "Grid", Name=f"snapshot_{k}", GridType="Uniform")
        ET.SubElement(grid, "Time", Value=repr(float(t)))
        ET.SubElement(grid, "Topology", TopologyType="3DCoRectMesh", Dimensions=dims)
        geo = ET.SubElement(grid, "Geometry", GeometryType="ORIGIN_DXDYDZ")
        _item(geo, " ".join(repr(v) for v in origin), Name="Origin", Dimensions=3, NumberType="Float",
              Precision=8, Format="XML")
        _item(geo, " ".join(repr(v) for v in spacing), Name="Spacing", Dimensions=3, NumberType="Float",
              Precision=8, Format="XML")
        start = [k] + [0] * len(stored)
        stride = [1] * len(full)
        count = [1] + stored
        for s in run.field_names:
            att = ET.SubElement(grid, "Attribute", Name=s, AttributeType="Scalar", Center="Node")
            ref = f"{h5name}:/fields/{s}"
            if dialect == "xdmf3":
                _item(att, f"{ref}|{_ints(start)}:{_ints(stride)}:{_ints(count)}:{_ints(full)}", Dimensions=dims,
                      NumberType="Float", Precision=8, Format="HDF")
            else:
                slab = ET.SubElement(att, "DataItem", ItemType="HyperSlab", Dimensions=dims, NumberType="Float",
                                     Precision="8", Type="HyperSlab")
                _item(slab, f"{_ints(start)} {_ints(stride)} {_ints(count)}", Dimensions=f"3 {len(full)}",
                      NumberType="Int", Format="XML")
                _item(slab, ref, Dimensions=_ints(full), NumberType="Float", Precision=8, Format="HDF")
    ET.indent(root) if hasattr(ET, "indent") else None
    return root


def _write(root, out):
    try:
        with open(out, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" ?>\n<!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>\n')
            f.write(ET.tostring(root, encoding="unicode"))
            f.write("\n")
    except OSError as err:  # no half-written .xmf; a failed write or close does not name the file: name it
        if os.path.isfile(out) and not os.path.islink(out):
            os.remove(out)
        raise OSError(err.errno, err.strerror, out) from None


def xdmf2_path(xmf_path):
    """The XDMF 2 companion of an .xmf path."""
    return os.path.splitext(xmf_path)[0] + ".xdmf2.xmf"


def write_xdmf(h5_path):
    """Write <name>.xmf (XDMF 3) and <name>.xdmf2.xmf (XDMF 2) beside a 2-D/3-D run file; returns
    the .xmf's path. 1-D runs, runs without fields and runs with no snapshot yet (killed before their
    first flush: an .xmf with an empty time series was written) need none: returns None."""
    run = Run(h5_path)
    if run.grid.dim < 2 or not run.has("fields") or len(run.field_times) == 0:
        return None
    h5name = os.path.basename(run.path)
    out = os.path.splitext(run.path)[0] + ".xmf"
    _write(_document(run, h5name, "xdmf3"), out)
    _write(_document(run, h5name, "xdmf2"), xdmf2_path(out))
    return out


if __name__ == "__main__":  # `python3 -m postprocess.xdmf` is `python3 -m postprocess xdmf`
    import sys

    from .__main__ import main

    sys.exit(main(["xdmf", *sys.argv[1:]]))
