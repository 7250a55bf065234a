package org.overlaygate.katar.server.store;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import org.junit.Test;

public class ImportDocumentTest {
    @Test
    public void readsAFullDocumentWithDefaults() {
        ImportDocument d = ImportDocument.parse("{\"vnets\":[{\"id\":42,\"name\":\"blue\"}],"
                + "\"hosts\":[{\"id\":\"cn1\",\"ip\":\"10.88.0.1\"},{\"id\":\"cn2\",\"ip\":\"fd00::2\",\"port\":6081}],"
                + "\"mappings\":[{\"vnet\":42,\"mac\":\"2:8:20:0:0:1\",\"host\":\"cn1\",\"ips\":[\"192.168.1.10\",\"fd00::10\"]}]}");
        assertEquals(1, d.vnets().size());
        assertEquals(4789, d.hosts().get(0).port());
        assertEquals(6081, d.hosts().get(1).port());
        assertEquals(0x020820000001L, d.mappings().get(0).mac());
        assertEquals(0, d.mappings().get(0).vlan());
        assertEquals(2, d.mappings().get(0).ips().size());
    }

    @Test
    public void errorsSayWhere() {
        bad("{\"hosts\":[{\"id\":\"cn1\",\"ip\":\"10.88.0.1\"},{\"id\":\"cn2\"}]}", "hosts[1]: \"ip\" is missing");
        bad("{\"mappings\":[{\"vnet\":42,\"mac\":\"zz\",\"host\":\"cn1\"}]}",
                "mappings[0].mac: bad MAC address 'zz': expected six octets like 02:08:20:aa:bb:cc");
        bad("{\"mappings\":[{\"vnet\":4294967296,\"mac\":\"2:8:20:0:0:1\",\"host\":\"cn1\"}]}",
                "mappings[0].vnet: 4294967296 is out of range 0-4294967295");
        bad("{\"mapings\":[]}", "the document: unknown member \"mapings\" (known: hosts, mappings, vnets)");
        bad("{\"hosts\":[{\"id\":\"cn1\",\"ip\":\"10.88.0.1\",}]}", "bad JSON: Expected name at line 1 column 41 path $.hosts[0].ip");
        bad("{\"vnets\":[],\"vnets\":[]}", "bad JSON: member \"vnets\" given twice at $.vnets");
        bad("{\"mappings\":[{\"vnet\":1,\"mac\":\"2:8:20:0:0:1\",\"host\":\"cn1\",\"ips\":[\"host.example\"]}]}",
                "mappings[0].ips[0]: 'host.example' is not an IP address");
        bad("[1,2", "bad JSON: End of input at line 1 column 5 path $[2]");
        bad("{\"hosts\":[]} extra", "bad JSON: malformed JSON at line 1 column 15 path $");
    }

    private static void bad(String json, String message) {
        try {
            ImportDocument.parse(json);
            fail("accepted " + json);
        } catch (IllegalArgumentException e) {
            assertEquals(message, e.getMessage());
        }
    }
}
