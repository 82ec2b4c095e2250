num_pes: 64
l1_size_cstr: 4096
l2_size_cstr: 1048576
noc_bw_cstr: 64
offchip_bw_cstr: 2
NoC_NumHops: 1
