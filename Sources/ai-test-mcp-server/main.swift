// A Model Context Protocol server over stdio for the tests of the MCP client (test-only, never installed).
//
//   ai-test-mcp-server [--page-size N] [--noise] [--stubborn-child PIDFILE] [--linger] [--version-answer V]
//       answers initialize (with protocol version V, default 2025-06-18), tools/list (in pages of N tools) and
//       tools/call (each call on a thread of its own) for the tools of `TestMCPServer` (AITestSupport); --noise writes a line on
//       stderr at start; --stubborn-child starts a child in the same process group that ignores SIGTERM and stdin
//       and writes its pid to PIDFILE; --linger stays after stdin closes, ignoring SIGTERM (only SIGKILL ends it).
//   ai-test-mcp-server --exit N      writes a line on stderr and exits with status N before reading anything.
//   ai-test-mcp-server --garbage     writes a line that is not JSON on stdout, then reads stdin to its end.
//   ai-test-mcp-server --stubborn PIDFILE   (the stubborn child itself)
import AITestSupport

TestMCPServer.main(Array(CommandLine.arguments.dropFirst()))
