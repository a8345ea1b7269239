import AIBase
import AIWire

/// A tool the model may call (DESIGN §11): what the model is told about it, and how the suite runs it.
package struct ToolDefinition: Sendable, Equatable {
    /// How a call of the tool is carried out.
    package enum Backend: Sendable, Equatable {
        /// A program: argv exactly as written (never a shell), the arguments JSON on its stdin, its stdout the
        /// result; `timeout` in seconds; `environment` the names passed on besides `PATH`, `HOME` and `LANG`.
        case command(argv: [String], timeout: Double, environment: [String])
        /// A tool of the MCP server started from `server` (its command line), known there as `remoteName`.
        case mcp(server: String, remoteName: String)
    }

    /// The default timeout of a command tool, in seconds.
    package static let defaultTimeout = 60.0

    /// The name the model calls it by.
    package var name: String
    /// What it does, for the model.
    package var description: String?
    /// The JSON Schema its arguments must meet (an object schema).
    package var parameters: JSON
    /// How it runs.
    package var backend: Backend

    /// A definition with the given parts.
    package init(name: String, description: String?, parameters: JSON, backend: Backend) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.backend = backend
    }

    /// The fields a definition may have.
    package static let fields: Set<String> = ["name", "description", "parameters", "command", "timeout", "env"]

    /// Reads a definition (`--tool FILE`'s content, or an element of a request's `tools`):
    /// `{"name","description","parameters","command":[argv…],"timeout","env":[names]}`.
    /// - Parameter place: where it came from, for the error (`--tool weather.json`, `tools[0]`).
    /// - Throws: `AIError` (`input`) naming the place and the field.
    package static func decode(_ json: JSON, place: String) throws(AIError) -> ToolDefinition {
        guard case .object(let object) = json else { throw AIError(.input, "\(place): a tool must be a JSON object") }
        for key in object.keys where !fields.contains(key) {
            throw AIError(.input, "\(place): unknown field '\(key)'")
        }
        guard let name = object["name"]?.stringValue, isValidName(name) else {
            throw AIError(.input, "\(place): 'name' must be 1 to 64 letters, digits, '_' or '-'")
        }
        var description: String?
        if let value = object["description"], !value.isNull {
            guard let text = value.stringValue else {
                throw AIError(.input, "\(place): 'description' must be a string")
            }
            description = text
        }
        let parameters = object["parameters"] ?? .object(["type": "object", "properties": .object([:])])
        guard case .object = parameters else {
            throw AIError(.input, "\(place): 'parameters' must be a JSON Schema object")
        }
        guard case .array(let words) = object["command"] ?? .null, !words.isEmpty,
            let argv = Optional(words.compactMap(\.stringValue)), argv.count == words.count, !argv[0].isEmpty
        else {
            throw AIError(.input, "\(place): 'command' must be a non-empty array of strings (argv, never a shell line)")
        }
        var timeout = defaultTimeout
        if let value = object["timeout"], !value.isNull {
            guard let seconds = value.doubleValue, seconds > 0, seconds.isFinite else {
                throw AIError(.input, "\(place): 'timeout' must be a positive number of seconds")
            }
            timeout = seconds
        }
        var environment: [String] = []
        if let value = object["env"], !value.isNull {
            guard case .array(let names) = value, let strings = Optional(names.compactMap(\.stringValue)),
                strings.count == names.count
            else { throw AIError(.input, "\(place): 'env' must be an array of variable names") }
            environment = strings
        }
        return ToolDefinition(
            name: name, description: description, parameters: parameters,
            backend: .command(argv: argv, timeout: timeout, environment: environment))
    }

    /// Whether `name` is a name every provider takes for a function (`^[a-zA-Z0-9_-]{1,64}$`).
    package static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        return (1...64).contains(bytes.count)
            && bytes.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F || $0 == 0x2D
            }
    }
}
