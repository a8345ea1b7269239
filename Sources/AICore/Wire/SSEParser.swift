/// One dispatched server-sent event.
package struct SSEEvent: Equatable, Sendable {
    package var type: String
    package var data: [UInt8]
    package var lastEventID: String
    package var text: String { String(decoding: data, as: UTF8.self) }
}

/// Provisional WHATWG SSE parser.
package struct SSEParser: Sendable {
    private let legacyErrorField: Bool
    package private(set) var retry: Int?
    package private(set) var lastEventID = ""
    private var line: [UInt8] = []
    private var skipLF = false
    private var bomChecked = false
    private var type = ""
    private var data: [UInt8] = []
    private var errorValue: [UInt8]?

    package init(legacyErrorField: Bool = false) { self.legacyErrorField = legacyErrorField }

    package mutating func feed(_ bytes: [UInt8], _ dispatch: (SSEEvent) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { try feed($0, dispatch) }
    }

    package mutating func feed(_ bytes: UnsafeRawBufferPointer, _ dispatch: (SSEEvent) throws -> Void) rethrows {
        for byte in bytes {
            if skipLF {
                skipLF = false
                if byte == 0x0A { continue }
            }
            if byte == 0x0D || byte == 0x0A {
                skipLF = byte == 0x0D
                try process(dispatch)
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
    }

    package mutating func finish() -> Bool {
        let discarded = !line.isEmpty || !data.isEmpty
        line.removeAll()
        data.removeAll()
        return discarded
    }

    private mutating func process(_ dispatch: (SSEEvent) throws -> Void) rethrows {
        if !bomChecked {
            bomChecked = true
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty {
            defer { type = ""; data.removeAll(keepingCapacity: true); errorValue = nil }
            if let errorValue {
                try dispatch(SSEEvent(type: "error", data: data.isEmpty ? errorValue : Array(data.dropLast()), lastEventID: lastEventID))
                return
            }
            guard !data.isEmpty else { return }
            data.removeLast()
            try dispatch(SSEEvent(type: type.isEmpty ? "message" : type, data: data, lastEventID: lastEventID))
            return
        }
        if line.first == UInt8(ascii: ":") { return }
        var name = line[...]
        var value = line[line.endIndex...]
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            name = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == 0x20 { value = value.dropFirst() }
        }
        switch String(decoding: name, as: UTF8.self) {
        case "event": type = String(decoding: value, as: UTF8.self)
        case "data": data.append(contentsOf: value); data.append(0x0A)
        case "id": if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case "retry": if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { retry = Int(String(decoding: value, as: UTF8.self)) }
        case "error" where legacyErrorField: errorValue = Array(value)
        default: break
        }
    }
}
