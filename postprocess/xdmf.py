"""XDMF 3 description of a 2-D/3-D cartsim run file, for ParaView / VisIt.

write_xdmf("lesion2d.h5") writes "lesion2d.xmf" beside it: a temporal
collection with one uniform grid per field snapshot. The mesh is a
2DCoRectMesh (dims nz nx) or 3DCoRectMesh (dims nz ny nx) whose nodes are the
cell centres (origin dz/2, dy/2, dx/2; spacing from /grid), so every species
is an Attribute with Center="Node"; its values are a HyperSlab selecting
snapshot t of /fields/<species> [t, nz(, ny), nx] in the HDF5 file (referred
to by its base name: keep the .xmf next to the .h5). In ParaView the depth
z is the slowest axis (Y in 2-D, Z in 3-D), so the surface is up.
"""

import os
import xml.etree.ElementTree as ET

from .reader import Run


def _item(parent, text, **attrs):
    e = ET.SubElement(parent, "DataItem", {k: str(v) for k, v in attrs.items()})
    e.text = text
    return e


def write_xdmf(h5_path):
    """Write <name>.xmf beside a 2-D/3-D run file; returns its path.
    1-D runs (and runs without fields) need none: returns None."""
    run = Run(h5_path)
    g = run.grid
    if g.dim < 2 or not run.has("fields"):
        return None
    times = run.field_times
    species = run.field_names
    shape = [g.nz, g.nx] if g.dim == 2 else [g.nz, g.ny, g.nx]
    lengths = [g.H, g.Lx] if g.dim == 2 else [g.H, g.Ly, g.Lx]
    spacing = [L / n for L, n in zip(lengths, shape)]
    origin = [d / 2 for d in spacing]
    dims = " ".join(str(n) for n in shape)
    nd = len(shape)
    h5name = os.path.basename(run.path)

    root = ET.Element("Xdmf", Version="3.0")
    domain = ET.SubElement(root, "Domain")
    coll = ET.SubElement(domain, "Grid", Name="cartsim", GridType="Collection", CollectionType="Temporal")
    for k, t in enumerate(times):
        grid = ET.SubElement(coll, "Grid", Name=f"snapshot_{k}", GridType="Uniform")
        ET.SubElement(grid, "Time", Value=repr(float(t)))
        ET.SubElement(grid, "Topology", TopologyType=f"{nd}DCoRectMesh", Dimensions=dims)
        geo = ET.SubElement(grid, "Geometry", GeometryType="ORIGIN_DXDY" if nd == 2 else "ORIGIN_DXDYDZ")
        _item(geo, " ".join(repr(v) for v in origin), Name="Origin", Dimensions=nd, NumberType="Float",
              Precision=8, Format="XML")
        _item(geo, " ".join(repr(v) for v in spacing), Name="Spacing", Dimensions=nd, NumberType="Float",
              Precision=8, Format="XML")
        for s in species:
            att = ET.SubElement(grid, "Attribute", Name=s, AttributeType="Scalar", Center="Node")
            slab = ET.SubElement(att, "DataItem", ItemType="HyperSlab", Dimensions=dims, Type="HyperSlab")
            start = " ".join(["%d" % k] + ["0"] * nd)
            stride = " ".join(["1"] * (nd + 1))
            count = " ".join(["1"] + [str(n) for n in shape])
            _item(slab, f"{start} {stride} {count}", Dimensions=f"3 {nd + 1}", Format="XML")
            _item(slab, f"{h5name}:/fields/{s}", Dimensions=f"{len(times)} {dims}", NumberType="Float",
                  Precision=8, Format="HDF")
    ET.indent(root) if hasattr(ET, "indent") else None
    out = os.path.splitext(run.path)[0] + ".xmf"
    try:
        with open(out, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" ?>\n<!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>\n')
            f.write(ET.tostring(root, encoding="unicode"))
            f.write("\n")
    except OSError as err:  # no half-written .xmf; a failed write or close does not name the file: name it
        if os.path.isfile(out) and not os.path.islink(out):
            os.remove(out)
        raise OSError(err.errno, err.strerror, out) from None
    return out


if __name__ == "__main__":  # `python3 -m postprocess.xdmf` is `python3 -m postprocess xdmf`
    import sys

    from .__main__ import main

    sys.exit(main(["xdmf", *sys.argv[1:]]))
