package dev.isakmpd.daemon.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The control socket's protocol: one JSON object per line each way.
 * <pre>
 * -> {"command":"up","peer":"gw-b"}
 * <- {"ok":true,"result":...}      or      {"ok":false,"error":"no peer named gw-x"}
 * </pre>
 */
public final class ControlProtocol {
    /** A request line longer than this is refused and the connection closed. */
    public static final int MAX_REQUEST_LINE = 64 * 1024;

    static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16)
                .maxStringLength(MAX_REQUEST_LINE).build());
    }

    private ControlProtocol() {
    }

    /** A parsed request: its command and the whole object, for the command's own arguments. */
    public record Request(String command, ObjectNode body) {
        /** A string argument, or {@code null} when absent. */
        public String text(String field) {
            JsonNode v = body.get(field);
            return v == null || v.isNull() ? null : v.asText();
        }
    }

    /** A request the server could not accept; its message is the reply's error. */
    public static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        public BadRequest(String message) {
            super(message);
        }
    }

    public static Request parse(String line) throws BadRequest {
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadRequest("malformed JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new BadRequest("a request is a JSON object such as {\"command\":\"status\"}");
        }
        JsonNode c = n.get("command");
        if (c == null || !c.isTextual()) {
            throw new BadRequest("the request has no \"command\" string");
        }
        return new Request(c.asText(), (ObjectNode) n);
    }

    public static String request(String command, String... fieldValuePairs) {
        ObjectNode o = MAPPER.createObjectNode().put("command", command);
        for (int i = 0; i + 1 < fieldValuePairs.length; i += 2) {
            if (fieldValuePairs[i + 1] != null) {
                o.put(fieldValuePairs[i], fieldValuePairs[i + 1]);
            }
        }
        return o.toString();
    }

    public static String ok(Object result) {
        ObjectNode o = MAPPER.createObjectNode().put("ok", true);
        o.set("result", MAPPER.valueToTree(result));
        return o.toString();
    }

    public static String error(String message) {
        return MAPPER.createObjectNode().put("ok", false).put("error", message).toString();
    }

    /** Parses a reply line (for isakmpctl). */
    public static JsonNode reply(String line) throws BadRequest {
        try {
            JsonNode n = MAPPER.readTree(line);
            if (n == null || !n.isObject() || !n.has("ok")) {
                throw new BadRequest("the daemon's reply is not a control-protocol reply");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new BadRequest("the daemon's reply is not JSON: " + e.getOriginalMessage());
        }
    }
}
