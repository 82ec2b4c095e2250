num_pes: 256
l1_size_cstr: 512
l2_size_cstr: 184467440737095516160
noc_bw_cstr: 32
offchip_bw_cstr: 16
