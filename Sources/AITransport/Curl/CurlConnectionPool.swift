import CCurl
import Synchronization

/// The connections the transports of a process share: a request borrows the handles that last talked to its
/// origin (the most recently returned first) and opens a connection only when none of them is idle.
///
/// Each loan is one easy handle in a multi handle of its own that keeps at most one connection, so a connection
/// is kept only while its handles wait here. A server with a small fixed pool of threads that keeps connections
/// alive (cpp-httplib, so llama.cpp's server) serves each connection on one thread until the connection closes:
/// an idle connection kept here holds one of those threads, and a request sent on a new connection is not read
/// until a thread is free. `releaseSurplus()` closes, per origin, as many idle connections as requests wait for
/// their first response byte on new connections; a caller with nothing to send (a batch worker without an item)
/// calls it, so a request never waits out the server's keep-alive timeout behind connections nobody uses.
package final class CurlConnectionPool: Sendable {
    private struct State {
        /// Handles not lent out, the least recently returned first.
        var idle: [CurlHandles] = []
        /// Per origin: requests sent on a new connection that have not received a response byte yet.
        var waitingOnNewConnections: [String: Int] = [:]
    }

    private let state = Mutex(State())

    /// The pool `CurlTransport` uses unless given another.
    package static let shared = CurlConnectionPool()

    /// An empty pool.
    package init() {}

    /// How many handles wait to be borrowed (each with at most one open connection).
    package var idleCount: Int { state.withLock { $0.idle.count } }

    /// Closes, for each origin, up to as many idle connections as requests wait for their first response byte on
    /// new connections to it (the least recently used first), so that a server with a few threads serves them.
    package func releaseSurplus() {
        // The handles returned close their connections as they go, after the lock is released.
        _ = state.withLock { state -> [CurlHandles] in
            guard !state.waitingOnNewConnections.isEmpty, !state.idle.isEmpty else { return [] }
            var closing: [CurlHandles] = []
            for (origin, waiting) in state.waitingOnNewConnections {
                var left = waiting
                state.idle.removeAll { handles in
                    guard left > 0, handles.origin == origin else { return false }
                    left -= 1
                    closing.append(handles)
                    return true
                }
            }
            return closing
        }
    }

    /// Lends handles for a request to `origin`: the last returned ones that talked to it, else the least recently
    /// used others (whose connection then closes), else new ones.
    /// - Throws: `TransportError.other` when libcurl cannot create a handle.
    func borrow(origin: String) throws -> CurlHandles {
        let lent: CurlHandles? = state.withLock { state in
            if let index = state.idle.lastIndex(where: { $0.origin == origin }) { return state.idle.remove(at: index) }
            return state.idle.isEmpty ? nil : state.idle.removeFirst()
        }
        if let lent {
            lent.origin = origin
            return lent
        }
        guard let easy = CurlEasy(), let multi = CurlMulti() else {
            throw TransportError.other("libcurl could not create a handle")
        }
        return CurlHandles(easy: easy, multi: multi, origin: origin)
    }

    /// Takes back handles lent by `borrow`, with the connection libcurl kept open in them, if any.
    func giveBack(_ handles: CurlHandles) {
        state.withLock { $0.idle.append(handles) }
    }

    /// A request to `origin` went out on a new connection and waits for its first response byte.
    func waitingOnNewConnection(origin: String) {
        state.withLock { $0.waitingOnNewConnections[origin, default: 0] += 1 }
    }

    /// A request counted by `waitingOnNewConnection` received a response byte, or ended.
    func doneWaiting(origin: String) {
        state.withLock { state in
            let left = (state.waitingOnNewConnections[origin] ?? 1) - 1
            state.waitingOnNewConnections[origin] = left > 0 ? left : nil
        }
    }

    /// The scheme, host and port of `url` as written (`https://api.openai.com`): what a kept connection serves.
    package static func origin(of url: String) -> String {
        let bytes = url.utf8
        var index = bytes.startIndex
        var slashes = 0
        // Past "scheme://", then up to the first "/", "?" or "#".
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            index = bytes.index(after: colon)
            while index != bytes.endIndex, bytes[index] == UInt8(ascii: "/"), slashes < 2 {
                index = bytes.index(after: index)
                slashes += 1
            }
        }
        if slashes < 2 { index = bytes.startIndex }
        let end =
            bytes[index...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        return String(url[..<end])
    }
}

/// One easy handle in a multi handle of its own, which keeps at most one connection: what the pool lends.
///
/// Only the borrower, or the pool while it holds them, touches the handles; libcurl allows a handle to move
/// between threads as long as two never use it at once.
final class CurlHandles: @unchecked Sendable {
    let easy: CurlEasy
    let multi: CurlMulti
    /// The origin of the last request sent with these handles: that of their kept connection, if any.
    var origin: String

    init(easy: CurlEasy, multi: CurlMulti, origin: String) {
        self.easy = easy
        self.multi = multi
        self.origin = origin
    }
}
