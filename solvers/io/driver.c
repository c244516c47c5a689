#include "driver.h"

static int several_ranks(MPI_Comm comm)
{
  int size = 1;
  MPI_Comm_size(comm, &size);
  return size > 1;
}

hid_t cs_h5_file_access(MPI_Comm comm)
{
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return fapl;
  herr_t e = several_ranks(comm) ? H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) : H5Pset_fapl_sec2(fapl);
  if (e < 0) {
    H5Pclose(fapl);
    return -1;
  }
  return fapl;
}

hid_t cs_h5_transfer(MPI_Comm comm, int collective)
{
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  if (dxpl < 0 || !several_ranks(comm)) return dxpl;
  if (H5Pset_dxpl_mpio(dxpl, collective ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT) < 0) {
    H5Pclose(dxpl);
    return -1;
  }
  return dxpl;
}
