package org.overlaygate.api.property;

/**
 * A property value was refused. The message is a single line meant for the operator, such as
 * {@code missing required properties: vxlan/listen_ip, direct/dest_ip}.
 */
public class PropertyException extends Exception {
    private static final long serialVersionUID = 1L;

    public PropertyException(String message) {
        super(message);
    }
}
