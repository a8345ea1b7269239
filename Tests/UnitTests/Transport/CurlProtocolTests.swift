import AIBase
import AITestSupport
import AITransport
import Testing

/// The transport speaks HTTP and HTTPS only, with HTTPS for a URL that names no scheme (DESIGN §6).
@Suite struct CurlProtocolTests {
    final class Discard: HTTPResponseHandler {
        func receive(head: HTTPResponseHead) throws {}
        func receive(body: UnsafeRawBufferPointer) throws {}
    }

    func send(_ url: String) -> (any Error)? {
        do {
            let transport = try CurlTransport(configuration: .init(userAgent: "test"))
            let limits = TransferLimits(connectTimeout: 2, idleTimeout: 2, maxTime: 5)
            try transport.perform(
                HTTPRequest(method: "POST", url: url, headers: [(name: "Authorization", value: "Bearer sk-x")]),
                limits: limits, handler: Discard())
            return nil
        } catch {
            return error
        }
    }

    /// Before: libcurl spoke DICT, GOPHER… to whatever the URL named (here a loopback listener that records).
    @Test(arguments: ["dict", "gopher", "telnet", "ftp", "ldap"])
    func otherProtocols_areRefusedBeforeConnecting(_ scheme: String) throws {
        let server = try FakeServer(responses: [])
        defer { server.stop() }
        let error = send("\(scheme)://127.0.0.1:\(server.port)/v1")
        #expect(error as? TransportError != nil, "\(scheme): \(String(describing: error))")
        #expect(server.connectionCount == 0, "\(scheme)")
    }

    /// Before: libcurl guessed plain http, and the key went out in clear.
    @Test func aURLWithoutAScheme_isHTTPS() throws {
        let server = try FakeServer(responses: [])
        defer { server.stop() }
        let error = send("127.0.0.1:\(server.port)/v1")
        #expect(error != nil)
        #expect(server.requests.isEmpty)
    }
}
