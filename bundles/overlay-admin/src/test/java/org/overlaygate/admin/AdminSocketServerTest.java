package org.overlaygate.admin;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;

import org.junit.Test;

public class AdminSocketServerTest {

    @Test
    public void defaultSocketLivesUnderTheDistribution() {
        assertEquals(Path.of("/opt/og/run/overlayadm.sock"), AdminSocketServer.socketPath(null, "/opt/og"));
        assertEquals(Path.of("/tmp/x.sock"), AdminSocketServer.socketPath("/tmp/x.sock", "/opt/og"));
    }

    @Test
    public void operatorErrorsShowOnlyTheirMessageOnOneLine() {
        assertEquals("overlay ovl0 has VNICs", CommandErrors.message(new IllegalStateException("overlay ovl0 has VNICs")));
        assertEquals("internal error: NullPointerException (details in the log)", CommandErrors.message(new NullPointerException()));
        assertEquals("internal error: IOException: a b (details in the log)", CommandErrors.message(new java.io.IOException("a\n b\r\n")));
    }
}
