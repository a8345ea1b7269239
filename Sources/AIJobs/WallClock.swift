import Glibc

/// Wall-clock time for job records: seconds since the epoch, and RFC 3339 text in UTC.
package enum WallClock {
    /// Seconds since the epoch, now.
    package static func now() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int(spec.tv_sec)
    }

    /// `2026-12-02T01:53:00Z` for `seconds` since the epoch.
    package static func rfc3339(_ seconds: Int) -> String {
        let (date, time) = parts(seconds)
        return "\(date)T\(time)Z"
    }

    /// `20261202T015300` for `seconds` since the epoch: sortable, and safe in a file name.
    package static func compact(_ seconds: Int) -> String {
        let (date, time) = parts(seconds)
        return date.replacing("-", with: "") + "T" + time.replacing(":", with: "")
    }

    /// Seconds since the epoch of an RFC 3339 time (`2024-09-24T18:37:24.100435Z`, offsets honoured), or nil.
    package static func parse(_ text: String) -> Int? {
        let match = text.wholeMatch(
            of: /(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))/)
        guard let match, let year = Int(match.1), let month = Int(match.2), let day = Int(match.3),
            let hour = Int(match.4), let minute = Int(match.5), let second = Int(match.6)
        else { return nil }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month - 1)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(second)
        var seconds = Int(timegm(&fields))
        if let sign = match.8, let hours = match.9.flatMap({ Int($0) }), let minutes = match.10.flatMap({ Int($0) }) {
            let offset = (hours * 60 + minutes) * 60
            seconds += sign == "+" ? -offset : offset
        }
        return seconds
    }

    private static func parts(_ seconds: Int) -> (date: String, time: String) {
        var value = time_t(seconds)
        var fields = tm()
        gmtime_r(&value, &fields)
        func two(_ number: Int32) -> String { number < 10 ? "0\(number)" : "\(number)" }
        let date = "\(fields.tm_year + 1900)-\(two(fields.tm_mon + 1))-\(two(fields.tm_mday))"
        return (date, "\(two(fields.tm_hour)):\(two(fields.tm_min)):\(two(fields.tm_sec))")
    }
}
