# A bridge port that is an access port of VLAN 10, for kernels without 802.1Q devices
# (CONFIG_VLAN_8021Q) or VLAN filtering bridges: two tc (cls_bpf, direct-action) programs that call
# the kernel's own VLAN helpers, so that the tag is the kernel's, held in the skb as a VLAN device
# holds it and written into the frame by the VXLAN device (vlan_hwaccel_push_inside).
#
#   section access_in  (tc ingress of the port): every frame the host sends gets VID 10
#                      (bpf_skb_vlan_push(skb, htons(ETH_P_8021Q), 10)).
#   section access_out (tc egress of the port): a frame of VID 10 leaves untagged
#                      (bpf_skb_vlan_pop(skb)); any other, untagged or of another VLAN, is dropped.
#
# VlanInteropIT assembles it with llvm-mc (Debian package llvm) and loads it with tc.

	.section	access_in,"ax",@progbits
	.globl	vlan10_in
	.type	vlan10_in,@function
vlan10_in:
	r2 = 0x81                # htons(0x8100) on a little-endian machine
	r3 = 10                  # the TCI: VID 10, priority 0
	call 18                  # bpf_skb_vlan_push(skb, r2, r3)
	r0 = 0                   # TC_ACT_OK
	exit
	.size	vlan10_in, .-vlan10_in

	.section	access_out,"ax",@progbits
	.globl	vlan10_out
	.type	vlan10_out,@function
vlan10_out:
	r6 = r1                  # the skb (struct __sk_buff *)
	r0 = 2                   # TC_ACT_SHOT, unless of VLAN 10
	r2 = *(u32 *)(r6 + 20)   # vlan_present
	if r2 == 0 goto out
	r2 = *(u32 *)(r6 + 24)   # vlan_tci
	r2 &= 0xfff
	if r2 != 10 goto out
	r1 = r6
	call 19                  # bpf_skb_vlan_pop(skb)
	r0 = 0                   # TC_ACT_OK
out:
	exit
	.size	vlan10_out, .-vlan10_out

	.section	license,"aw",@progbits
	.globl	_license
_license:
	.asciz	"GPL"
