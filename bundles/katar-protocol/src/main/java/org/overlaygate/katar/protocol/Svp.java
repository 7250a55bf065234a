package org.overlaygate.katar.protocol;

/**
 * Numbers of the katar protocol (SVP version 1 plus our extensions): operations, status codes,
 * payload sizes. The layout of each payload is in {@link Messages}; the document is
 * {@code docs/katar-protocol.md}.
 */
public final class Svp {
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 16;
    public static final int DEFAULT_PORT = 1296;

    /** Reserved by SVP; the server answers an unknown operation with this op and status FATAL. */
    public static final int OP_UNKNOWN = 0x00;
    public static final int OP_PING = 0x01;
    public static final int OP_PONG = 0x02;
    public static final int OP_VL2_REQ = 0x03;
    public static final int OP_VL2_ACK = 0x04;
    public static final int OP_VL3_REQ = 0x05;
    public static final int OP_VL3_ACK = 0x06;
    public static final int OP_BULK_REQ = 0x07;
    public static final int OP_BULK_ACK = 0x08;
    public static final int OP_LOG_REQ = 0x09;
    public static final int OP_LOG_ACK = 0x0A;
    public static final int OP_LOG_RM = 0x0B;
    public static final int OP_LOG_RM_ACK = 0x0C;
    public static final int OP_SHOOTDOWN = 0x0D;

    public static final int STATUS_OK = 0;
    public static final int STATUS_FATAL = 1;
    public static final int STATUS_NOTFOUND = 2;
    public static final int STATUS_BADL3TYPE = 3;
    public static final int STATUS_BADBULK = 4;
    /**
     * (ext) Not answered now: the server is over a limit (outstanding requests on this connection,
     * its work queue) or cannot reach its database. Ask again later. 5 and 6 are skipped because
     * early SVP drafts used them for log statuses.
     */
    public static final int STATUS_TRYAGAIN = 7;

    public static final int VL3_IPV4 = 1;
    public static final int VL3_IPV6 = 2;
    public static final int BULK_VL2 = 1;
    public static final int BULK_VL3 = 2;
    public static final int LOG_VL2 = 1;
    public static final int LOG_VL3 = 2;

    public static final int VL2_REQ_SIZE = 12;
    public static final int VL2_ACK_SIZE = 20;
    public static final int VL3_REQ_SIZE = 24;
    public static final int VL3_ACK_SIZE = 28;
    public static final int LOG_REQ_SIZE = 20;
    public static final int LOG_VL2_SIZE = 32;
    public static final int LOG_VL3_SIZE = 44;
    public static final int LOG_ID_SIZE = 16;
    public static final int LOG_RM_ACK_SIZE = 4;
    public static final int SHOOTDOWN_SIZE = 12;
    /** SVP's own BULK_REQ: the type alone. */
    public static final int BULK_REQ_SVP_SIZE = 4;
    /** (ext) BULK_REQ with flags, vnet filter and resume cursor. */
    public static final int BULK_REQ_SIZE = 32;
    /** (ext) BULK_ACK before its entries: status, type, flags, count. */
    public static final int BULK_ACK_HEADER_SIZE = 16;
    public static final int BULK_VL2_ENTRY_SIZE = 28;
    public static final int BULK_VL3_ENTRY_SIZE = 48;
    /** BULK_REQ flag: answer only the vnet named in the request. */
    public static final int BULK_FLAG_VNET = 1;
    /** BULK_REQ flag: resume after the (vnet, key) cursor of the request. */
    public static final int BULK_FLAG_AFTER = 2;
    /** BULK_ACK flag: more entries follow; ask again, resuming after the last entry. */
    public static final int BULK_FLAG_MORE = 1;

    private Svp() {
    }

    /** The name of an operation, or {@code op-0xNN}. */
    public static String opName(int op) {
        switch (op) {
            case OP_UNKNOWN: return "UNKNOWN";
            case OP_PING: return "PING";
            case OP_PONG: return "PONG";
            case OP_VL2_REQ: return "VL2_REQ";
            case OP_VL2_ACK: return "VL2_ACK";
            case OP_VL3_REQ: return "VL3_REQ";
            case OP_VL3_ACK: return "VL3_ACK";
            case OP_BULK_REQ: return "BULK_REQ";
            case OP_BULK_ACK: return "BULK_ACK";
            case OP_LOG_REQ: return "LOG_REQ";
            case OP_LOG_ACK: return "LOG_ACK";
            case OP_LOG_RM: return "LOG_RM";
            case OP_LOG_RM_ACK: return "LOG_RM_ACK";
            case OP_SHOOTDOWN: return "SHOOTDOWN";
            default: return String.format("op-0x%02x", op);
        }
    }

    /** The name of a status code, or its number. */
    public static String statusName(long status) {
        if (status == STATUS_OK) {
            return "OK";
        } else if (status == STATUS_FATAL) {
            return "FATAL";
        } else if (status == STATUS_NOTFOUND) {
            return "NOTFOUND";
        } else if (status == STATUS_BADL3TYPE) {
            return "BADL3TYPE";
        } else if (status == STATUS_BADBULK) {
            return "BADBULK";
        } else if (status == STATUS_TRYAGAIN) {
            return "TRYAGAIN";
        }
        return Long.toString(status);
    }

    /** The reply operation of a request operation (request + 1), or -1 when {@code op} is no request. */
    public static int replyOf(int op) {
        switch (op) {
            case OP_PING:
            case OP_VL2_REQ:
            case OP_VL3_REQ:
            case OP_BULK_REQ:
            case OP_LOG_REQ:
            case OP_LOG_RM:
                return op + 1;
            default:
                return -1;
        }
    }
}
