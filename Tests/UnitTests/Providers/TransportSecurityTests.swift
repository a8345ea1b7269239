import AIBase
import AIProviders
import Testing

/// DESIGN §6: a key never crosses plain http but to loopback, read the way libcurl reads the base URL.
@Suite struct TransportSecurityTests {
    func refusal(
        _ url: String, sendsKey: Bool = true, allow: Bool = false, _ environment: [String: String] = [:]
    ) -> AIError? {
        do {
            try ProviderRegistry.checkTransportSecurity(
                url: url, provider: "openai", sendsKey: sendsKey, allowInsecureHTTP: allow,
                environment: Environment(environment))
            return nil
        } catch let error as AIError {
            return error
        } catch {
            return AIError(.internal, "\(error)")
        }
    }

    @Test(arguments: [
        "10.1.2.3:9/v1", "http:/10.1.2.3:9/v1", "http:///10.1.2.3:9/v1", "http://127.0.0.1.example.net:9/v1",
        "http://127.0.0.1\\@evil.example/v1", "HTTP://10.1.2.3/v1", "http://[::ffff:10.1.2.3]/v1",
    ])
    func bypasses_areRefused(_ url: String) {
        let error = refusal(url)
        #expect(error?.code == .config, "\(url)")
        #expect(
            error?.message.contains("10.1.2.3") == true || error?.message.contains("evil") == true
                || error?.message.contains("example.net") == true || error?.message.contains(url) == true)
    }

    @Test func theSchemeMustBeWritten_andBeHTTPOrHTTPS_evenWithoutAKey() {
        let bare = refusal("127.0.0.1:8080/v1", sendsKey: false)
        #expect(bare?.code == .config && bare?.message == "the openai base url '127.0.0.1:8080/v1' has no scheme")
        let ftp = refusal("ftp://127.0.0.1/v1", sendsKey: false)
        #expect(ftp?.message == "the openai base url 'ftp://127.0.0.1/v1' uses ftp; only http and https are allowed")
        #expect(refusal("http://127.0.0.1:99999/v1", sendsKey: false)?.message.contains("not a valid url") == true)
        #expect(refusal("http://10.1.2.3/v1", sendsKey: false) == nil)
    }

    @Test(arguments: [
        "http://127.0.0.1:8/v1", "http://127.9.9.9/v1", "http://127.1/v1", "http://localhost/v1", "http://[::1]/v1",
        "https://api.example.com/v1",
    ])
    func loopbackAndHTTPS_areAllowed(_ url: String) {
        #expect(refusal(url) == nil, "\(url)")
        #expect(refusal(url, ["http_proxy": "http://proxy.example:3128", "https_proxy": "http://p.example"]) == nil)
    }

    @Test func aPlainHTTPProxy_isWhereTheKeyGoes() {
        let proxy = ["http_proxy": "http://proxy.example:3128"]
        let refused = refusal("http://10.1.2.3:9/v1", proxy)
        #expect(
            refused?.message
                == "refusing to send the openai key over plain http to 10.1.2.3 through the proxy proxy.example")
        let allowedHost = refusal("http://10.1.2.3:9/v1", allow: true, proxy)
        #expect(allowedHost?.code == .config)
        #expect(
            allowedHost?.message == "refusing to send the openai key over plain http through the proxy proxy.example")
        #expect(allowedHost?.hints == ["add 10.1.2.3 to no_proxy, or use https"])
        #expect(refusal("http://10.1.2.3:9/v1", allow: true, ["ALL_PROXY": "socks5://s.example"]) != nil)
        #expect(refusal("http://10.1.2.3:9/v1", allow: true) == nil)
        #expect(refusal("http://10.1.2.3:9/v1", allow: true, ["http_proxy": "http://127.0.0.1:3128"]) == nil)
        #expect(refusal("http://10.1.2.3:9/v1", allow: true, ["http_proxy": "https://proxy.example"]) == nil)
        #expect(refusal("http://10.1.2.3:9/v1", allow: true, proxy.merging(["no_proxy": "10.0.0.0/8"]) { $1 }) == nil)
        #expect(refusal("http://10.1.2.3:9/v1", sendsKey: false, proxy) == nil)
    }
}
