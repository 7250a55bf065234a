/*
 * The plain TAP/UDP forwarder latency.sh measures beside the appliance: what any user-space data
 * path pays here, with nothing of its own. One blocking thread a direction, one frame per system
 * call, no batching, no offloads, no lookups: a frame read from the TAP gets an 8-byte VXLAN header
 * and goes to the one peer; a datagram from the peer loses its header and is written to the TAP.
 *   forwarder TAP LOCAL_IPV4 PEER_IPV4 PORT VNI
 * Creates TAP (not persistent: it goes with the process), prints "ready" once the socket is bound,
 * and runs until killed. Bring the TAP up (and move it to another namespace) from outside.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int tap, sock;
static struct sockaddr_in peer;
static unsigned vni;

static void *tap_to_udp(void *arg) {
    unsigned char buf[8 + 65536];
    (void) arg;
    for (;;) {
        ssize_t n = read(tap, buf + 8, sizeof buf - 8);
        if (n <= 0) {
            continue;
        }
        memset(buf, 0, 8);
        buf[0] = 0x08; /* the I flag: the VNI is valid */
        buf[4] = vni >> 16;
        buf[5] = vni >> 8;
        buf[6] = vni;
        sendto(sock, buf, n + 8, 0, (struct sockaddr *) &peer, sizeof peer);
    }
    return NULL;
}

static void *udp_to_tap(void *arg) {
    unsigned char buf[65536];
    (void) arg;
    for (;;) {
        ssize_t n = recv(sock, buf, sizeof buf, 0);
        if (n > 8 + 14) {
            write(tap, buf + 8, n - 8);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: forwarder TAP LOCAL_IPV4 PEER_IPV4 PORT VNI\n");
        return 2;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, argv[1], IFNAMSIZ - 1);
    tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (tap < 0 || ioctl(tap, TUNSETIFF, &ifr) < 0) {
        perror("forwarder: TAP");
        return 1;
    }
    struct sockaddr_in local;
    memset(&local, 0, sizeof local);
    local.sin_family = AF_INET;
    local.sin_port = htons(atoi(argv[4]));
    peer = local;
    if (inet_pton(AF_INET, argv[2], &local.sin_addr) != 1 || inet_pton(AF_INET, argv[3], &peer.sin_addr) != 1) {
        fprintf(stderr, "forwarder: bad address\n");
        return 2;
    }
    vni = (unsigned) atoi(argv[5]);
    sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || bind(sock, (struct sockaddr *) &local, sizeof local) < 0) {
        perror("forwarder: UDP");
        return 1;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, tap_to_udp, NULL) != 0) {
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    udp_to_tap(NULL);
    return 0;
}
