num_pes: 256
l1_size_cstr: 512
l2_size_cstr: 108000
noc_bw_cstrr: 32
offchip_bw_cstr: 16
