#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File discovery for `__path__` / `__path_exclude__`: glob(3) with braces, `**` meaning any depth of directories
/// (expanded up to 8 levels), regular files only.
public enum FileGlob {
    public static func expand(_ pattern: String, exclude: String = "") -> [String] {
        var results = Set<String>()
        for variant in variants(pattern) {
            for path in glob(variant) where isRegularFile(path) {
                if !exclude.isEmpty, matches(path, exclude) { continue }
                results.insert(path)
            }
        }
        return results.sorted()
    }

    /// `a/**/b` → `a/b`, `a/*/b`, `a/*/*/b`, …
    static func variants(_ pattern: String) -> [String] {
        guard let range = pattern.range(of: "**/") else { return [pattern] }
        let head = String(pattern[..<range.lowerBound])
        let tail = String(pattern[range.upperBound...])
        var out: [String] = []
        for depth in 0...8 {
            let middle = String(repeating: "*/", count: depth)
            out += variants(head + middle + tail)
        }
        return out
    }

    /// fnmatch(3) with `**` reduced to `*` over path separators.
    public static func matches(_ path: String, _ pattern: String) -> Bool {
        if pattern.contains("**") {
            return fnmatch(pattern.replacingOccurrences(of: "**", with: "*"), path, 0) == 0
        }
        return fnmatch(pattern, path, FNM_PATHNAME) == 0
    }

    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        #if canImport(Glibc)
        let flags = GLOB_BRACE | GLOB_NOSORT
        #else
        let flags = GLOB_BRACE
        #endif
        guard Glibc.glob(pattern, Int32(flags), nil, &result) == 0 else { return [] }
        var out: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let cString = result.gl_pathv[index] { out.append(String(cString: cString)) }
        }
        return out
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
