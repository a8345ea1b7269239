import AIBase
import AITransport
import Testing

/// URLs as libcurl reads them (its own parser), loopback as DESIGN §6 defines it, and the proxy libcurl would take.
@Suite struct CurlURLTests {
    @Test(arguments: [
        ("http:/10.1.2.3:9/v1", "http", "10.1.2.3", false),
        ("http:///10.1.2.3/v1", "http", "10.1.2.3", false),
        ("http://127.0.0.1.example.net/v1", "http", "127.0.0.1.example.net", false),
        ("http://127.0.0.1\\@evil.example/v1", "http", "evil.example", false),
        ("http://127.1:8/v1", "http", "127.0.0.1", true),
        ("http://0x7f000001/", "http", "127.0.0.1", true),
        ("http://127.255.0.9/", "http", "127.255.0.9", true),
        ("HTTP://LocalHost:1/v1", "http", "LocalHost", true),
        ("http://[::1]:8/v1", "http", "[::1]", true),
        ("http://[0:0::1]/", "http", "[::1]", true),
        ("http://[::ffff:127.0.0.1]/", "http", "[::ffff:127.0.0.1]", false),
        ("http://localhost./", "http", "localhost.", false),
        ("http://128.0.0.1/", "http", "128.0.0.1", false),
        ("https://api.openai.com/v1", "https", "api.openai.com", false),
        ("ftp://files.example/", "ftp", "files.example", false),
    ])
    func parsed_asLibcurlReadsIt(_ text: String, _ scheme: String, _ host: String, _ loopback: Bool) throws {
        let url = try ParsedURL(text)
        #expect(url.scheme == scheme && url.host == host)
        #expect(url.isLoopback == loopback)
    }

    @Test func aMissingScheme_isNoScheme_andGarbageIsMalformed() {
        for text in ["10.1.2.3:9/v1", "localhost:8080/v1", "api.example.com/v1", "127.0.0.1:8"] {
            #expect(throws: URLParseError.noScheme, "\(text)") { _ = try ParsedURL(text) }
        }
        for text in ["", "http://", "http://127.0.0.1:99999/", "not a url"] {
            #expect(throws: URLParseError.self, "\(text)") { _ = try ParsedURL(text) }
        }
    }

    @Test func noProxy_alwaysHoldsLoopback_andKeepsTheUsersEntries() {
        #expect(CurlProxy.noProxyList(environment: Environment([:])) == "localhost,127.0.0.0/8,::1")
        #expect(
            CurlProxy.noProxyList(environment: Environment(["no_proxy": "corp.example, 10.0.0.0/8"]))
                == "localhost,127.0.0.0/8,::1,corp.example, 10.0.0.0/8")
        #expect(CurlProxy.noProxyList(environment: Environment(["NO_PROXY": "lan"])) == "localhost,127.0.0.0/8,::1,lan")
        #expect(CurlProxy.noProxyList(environment: Environment(["no_proxy": " * "])) == "*")
    }

    @Test func proxy_isReadAsLibcurlReadsTheEnvironment() throws {
        let http = try ParsedURL("http://10.1.2.3:9/v1")
        let https = try ParsedURL("https://api.example.com/v1")
        #expect(CurlProxy.proxy(for: http, environment: Environment([:])) == nil)
        #expect(CurlProxy.proxy(for: http, environment: Environment(["HTTP_PROXY": "http://p:1"])) == nil)
        #expect(
            CurlProxy.proxy(for: http, environment: Environment(["http_proxy": "p.example:3128"]))
                == ParsedURL(scheme: "http", host: "p.example"))
        #expect(
            CurlProxy.proxy(for: https, environment: Environment(["HTTPS_PROXY": "https://p.example"]))
                == ParsedURL(scheme: "https", host: "p.example"))
        #expect(
            CurlProxy.proxy(for: http, environment: Environment(["ALL_PROXY": "socks5h://s.example:1080"]))
                == ParsedURL(scheme: "socks5h", host: "s.example"))
        let proxied = Environment(["http_proxy": "http://p.example", "no_proxy": ".lan.example,10.0.0.0/8"])
        #expect(CurlProxy.proxy(for: http, environment: proxied) == nil)
        #expect(CurlProxy.proxy(for: try ParsedURL("http://box.lan.example/"), environment: proxied) == nil)
        #expect(CurlProxy.proxy(for: try ParsedURL("http://lan.example/"), environment: proxied) == nil)
        #expect(CurlProxy.proxy(for: try ParsedURL("http://notlan.example/"), environment: proxied) != nil)
        #expect(CurlProxy.proxy(for: try ParsedURL("http://11.0.0.1/"), environment: proxied) != nil)
        for loopback in ["http://127.0.0.2:8/", "http://localhost/", "http://[::1]/"] {
            #expect(CurlProxy.proxy(for: try ParsedURL(loopback), environment: proxied) == nil, "\(loopback)")
        }
    }
}
