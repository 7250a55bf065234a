package org.overlaygate.core.device;

import java.util.Objects;

import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.MulticastGroup;
import org.overlaygate.core.underlay.UnderlayMux;

/**
 * A device's underlay multicast group (IGMP/MLD): which group it wants, and its membership on the
 * mux the device is bound to. The group is kept across a change of mux (a new encapsulation
 * version listening elsewhere) and joined on the new one; setting the group it already has changes
 * nothing on the wire, so a varpd or plugin that restarts and asks for the same group causes no
 * leave and join. Guarded by this object's monitor; no frame path takes it.
 */
final class GroupMembership {
    private MulticastGroup group;
    private AutoCloseable handle;
    private volatile String fault;

    synchronized MulticastGroup group() {
        return group;
    }

    /**
     * Makes {@code wanted} the group ({@code null}: none), joined on {@code mux} (null: not bound
     * yet, joined when it is). The old group is left only when the new one differs.
     *
     * @throws DataPathException when the group cannot be joined; the device then has none
     */
    synchronized void set(MulticastGroup wanted, UnderlayMux mux) throws DataPathException {
        if (Objects.equals(group, wanted)) {
            return;
        }
        AutoCloseable previous = handle;
        group = wanted;
        handle = null;
        fault = null;
        closeQuietly(previous);
        if (wanted != null && mux != null) {
            try {
                handle = mux.joinGroup(wanted.address(), wanted.interfaceName(), wanted.ttl());
            } catch (DataPathException e) {
                group = null;
                throw e;
            }
        }
    }

    /** The device moved to another mux: the membership goes with the old one, the group is joined on {@code mux}. */
    synchronized void moveTo(UnderlayMux mux) {
        closeQuietly(handle);
        handle = null;
        if (group == null || mux == null) {
            return;
        }
        try {
            handle = mux.joinGroup(group.address(), group.interfaceName(), group.ttl());
            fault = null;
        } catch (DataPathException e) {
            fault = "cannot join " + group + ": " + e.getMessage();
        }
    }

    /** Leaves the group (the device is being destroyed). */
    synchronized void leave() {
        closeQuietly(handle);
        handle = null;
    }

    /** Why the wanted group is not joined, or null. */
    String fault() {
        return fault;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // leaving a group cannot fail in a way anyone could act on
            }
        }
    }
}
