using System.Text;
using System.Text.RegularExpressions;

namespace AiStudio.Core.Artifacts;

/// <summary>
/// File paths written by a model are untrusted: they become relative paths that stay inside their folder,
/// made of letters, digits, '.', '_' and '-' only. "../../etc/passwd" becomes "etc/passwd", "/abs/x.cs" "abs/x.cs".
/// </summary>
internal static partial class SafePath
{
    private const int MaxSegments = 10;
    private const int MaxSegmentLength = 100;

    private static readonly HashSet<string> ExtensionlessNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "Dockerfile", "Makefile", "Procfile", "Jenkinsfile", "Containerfile", "Vagrantfile", "Gemfile", "Rakefile",
    };

    private static readonly HashSet<string> ReservedDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>The path a line names, when the whole line is a path: "### src/App.cs", "**File:** `src/App.cs`", "src/App.cs:".</summary>
    public static string? FromLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        var text = line.Trim();
        text = LineDecoration().Replace(text, "");
        text = text.Replace("**", "").Replace("`", "").Trim();
        text = Label().Replace(text, "").Trim().TrimEnd(':').Trim();
        return LooksLikePath(text) ? text : null;
    }

    /// <summary>The path in a first line such as "// src/App.cs", "# deploy/app.yml" or "// file: src/App.cs".</summary>
    public static string? FromComment(string? line)
    {
        if (line is null)
        {
            return null;
        }

        var text = line.Trim();
        if (text.StartsWith("#!", StringComparison.Ordinal))
        {
            return null;
        }

        var match = CommentPath().Match(text);
        return match.Success && LooksLikePath(match.Groups["path"].Value) ? match.Groups["path"].Value : null;
    }

    /// <summary>A path given in the fence's info string: "```csharp src/App.cs", "```csharp title=\"src/App.cs\"", "```csharp:src/App.cs".</summary>
    public static string? FromInfo(string info)
    {
        var match = InfoPath().Match(info);
        return match.Success && LooksLikePath(match.Groups["path"].Value) ? match.Groups["path"].Value : null;
    }

    /// <summary>The safe relative form of <paramref name="path"/>, or null when nothing usable is left.</summary>
    public static string? Sanitize(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var text = DriveOrScheme().Replace(path.Trim().Replace('\\', '/'), "");
        var segments = text.Split('/')
            .Select(CleanSegment)
            .Where(s => s is not null)
            .Cast<string>()
            .ToList();
        if (segments.Count == 0)
        {
            return null;
        }

        return string.Join('/', segments.Skip(Math.Max(0, segments.Count - MaxSegments)));
    }

    private static string? CleanSegment(string segment)
    {
        var trimmed = segment.Trim().TrimEnd('.', ' ');
        if (trimmed.Length == 0 || trimmed.All(c => c == '.') || trimmed == "~")
        {
            return null;
        }

        var safe = new StringBuilder(trimmed.Length);
        foreach (var c in trimmed)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }

        var result = safe.ToString();
        if (result.Length > MaxSegmentLength)
        {
            result = result[..MaxSegmentLength];
        }

        var stem = result.Split('.')[0];
        return ReservedDeviceNames.Contains(stem) ? "_" + result : result;
    }

    private static bool LooksLikePath(string text) =>
        text.Length is > 0 and <= 260
        && !text.Any(char.IsWhiteSpace)
        && !text.Contains("://", StringComparison.Ordinal)
        && (text.Contains('/') || text.Contains('\\') || Extension().IsMatch(text) || ExtensionlessNames.Contains(text))
        && text.Any(char.IsLetterOrDigit);

    [GeneratedRegex(@"^(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)+")]
    private static partial Regex LineDecoration();

    [GeneratedRegex(@"^(?:file\s*name|file\s*path|file|path)\s*[:=]\s*", RegexOptions.IgnoreCase)]
    private static partial Regex Label();

    [GeneratedRegex(@"^(?://|#|--|<!--)\s*(?:(?:file\s*name|file\s*path|file|path)\s*[:=]\s*)?(?<path>\S+?)\s*(?:-->)?$", RegexOptions.IgnoreCase)]
    private static partial Regex CommentPath();

    [GeneratedRegex(@"^[^\s:{]*(?::|\s+(?:(?:title|file|filename|path)\s*=\s*)?)[""']?(?<path>[^\s""']+)[""']?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex InfoPath();

    [GeneratedRegex(@"\.[A-Za-z][A-Za-z0-9]{0,9}$")]
    private static partial Regex Extension();

    [GeneratedRegex(@"^(?:[A-Za-z]:|file:/*|/+)")]
    private static partial Regex DriveOrScheme();
}
