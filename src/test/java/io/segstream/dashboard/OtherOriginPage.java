package io.segstream.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A page on another origin (its own port), as a customer's portal would host it: it subscribes to a
 * change stream of the application with a stream token ({@code ?access_token=}) through
 * {@code EventSource}, and lists every change it receives as {@code <li data-seq>}.
 */
final class OtherOriginPage implements AutoCloseable {

    private static final String HTML = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Portal</title>
            <script src="/embed.js" defer></script></head>
            <body><h1>VIP entries</h1><p id="state">starting</p><ul id="changes"></ul></body></html>
            """;

    private static final String SCRIPT = """
            const params = new URLSearchParams(location.search);
            const url = params.get('stream') + '?access_token=' + encodeURIComponent(params.get('token'));
            const state = document.getElementById('state');
            const list = document.getElementById('changes');
            const es = new EventSource(url);
            es.onopen = () => { state.textContent = 'open'; };
            es.onerror = () => { state.textContent = 'error ' + es.readyState; };
            const onChange = (e) => {
              const change = JSON.parse(e.data);
              const li = document.createElement('li');
              li.dataset.seq = e.lastEventId;
              li.textContent = change.change + ' ' + change.contactId;
              list.append(li);
            };
            es.addEventListener('enter', onChange);
            es.addEventListener('exit', onChange);
            """;

    private final HttpServer server;

    OtherOriginPage() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/")) send(exchange, 200, "text/html; charset=utf-8", HTML);
            else if (path.equals("/embed.js")) send(exchange, 200, "text/javascript; charset=utf-8", SCRIPT);
            else send(exchange, 404, "text/plain", "not here");
        });
        server.start();
    }

    /** This page's origin, e.g. {@code http://127.0.0.1:41234}. */
    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
