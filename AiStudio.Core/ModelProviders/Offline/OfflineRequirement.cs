using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AiStudio.Core.ModelProviders.Offline;

/// <summary>One need read from the team's requirements (or from reviewer feedback), with the words built from it.</summary>
internal sealed record OfflineRequirement(string Id, string Text, string Actor, string? Action, string? Benefit, IReadOnlyList<string> Keywords, string MethodName, bool FromReview)
{
    /// <summary>The things the need is about: the action's words after its verb, or the statement's keywords.</summary>
    public IReadOnlyList<string> Nouns => Action is { } action && KeywordsOf(action) is { Count: > 1 } words ? words.Skip(1).ToList() : Keywords;

    /// <summary>The main thing the need is about, e.g. "invoices" in "export their invoices as CSV".</summary>
    public string Term => Nouns.FirstOrDefault() ?? Keywords.FirstOrDefault() ?? "input";

    private const int MaxItems = 15;

    private static readonly string[] Modals =
        [
            "needs a way to", "need a way to", "would like to", "must", "should", "shall", "can", "could", "will", "may",
            "needs to", "need to", "wants to", "want to", "has to", "have to", "is able to", "are able to",
        ];

    private static readonly HashSet<string> SystemSubjects = new(StringComparer.OrdinalIgnoreCase)
    {
        "it", "the system", "system", "the app", "app", "the application", "application", "the service", "service",
        "the tool", "tool", "the platform", "platform", "the api", "api", "we", "the site", "the website", "the page",
    };

    internal static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "and", "or", "but", "if", "then", "else", "when", "while", "of", "to", "in", "on", "at", "by",
        "for", "with", "from", "into", "onto", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its",
        "this", "that", "these", "those", "their", "there", "they", "them", "his", "her", "our", "your", "my", "we",
        "you", "i", "me", "us", "he", "she", "can", "could", "must", "should", "shall", "will", "would", "may", "might",
        "need", "needs", "want", "wants", "have", "has", "had", "do", "does", "did", "not", "no", "so", "than", "too",
        "very", "also", "just", "only", "all", "any", "each", "every", "some", "such", "per", "via", "able", "without",
        "within", "after", "before", "about", "which", "who", "whom", "what", "where", "how", "why", "own", "other",
        "more", "most", "less", "new", "system", "app", "application", "user", "users", "allow", "allows", "let", "lets",
        "support", "supports", "provide", "provides", "make", "sure", "using", "use", "uses", "should", "into", "over",
        "under", "like", "one", "two", "three", "up", "out", "off", "again", "etc", "e.g", "i.e", "yes", "please",
    };

    public static IReadOnlyList<OfflineRequirement> FromText(string requirements, string title)
    {
        var statements = Statements(requirements).Take(MaxItems).ToList();
        if (statements.Count == 0)
        {
            statements.Add(string.IsNullOrWhiteSpace(title) ? "The service does what the team asked for" : $"Provide {title}");
        }

        return Build(statements, "R", fromReview: false, []);
    }

    public static IReadOnlyList<OfflineRequirement> FromFeedback(string? feedback, IReadOnlyList<OfflineRequirement> existing) =>
        feedback is null ? [] : Build(Statements(feedback).Take(MaxItems).ToList(), "F", fromReview: true, existing.Select(r => r.MethodName));

    /// <summary>Bullets and numbered lines are needs of their own; other text is split into sentences.</summary>
    internal static IEnumerable<string> Statements(string text)
    {
        var paragraph = new StringBuilder();
        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.Trim();
            var bullet = Regex.Match(line, @"^(?:[-*+•]|\d{1,3}[.)]|[A-Za-z][.)]|\[[ xX]\])\s+(.+)$");
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith('>') || bullet.Success)
            {
                foreach (var sentence in Sentences(paragraph.ToString()))
                {
                    yield return sentence;
                }

                paragraph.Clear();
                if (bullet.Success && Clean(bullet.Groups[1].Value) is { } item)
                {
                    yield return item;
                }
                else if (line.StartsWith('>') && Clean(line.TrimStart('>')) is { } quoted)
                {
                    yield return quoted;
                }

                continue;
            }

            paragraph.Append(line).Append(' ');
        }

        foreach (var sentence in Sentences(paragraph.ToString()))
        {
            yield return sentence;
        }
    }

    public static IReadOnlyList<string> Words(string text) =>
        Regex.Matches(text, @"[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z0-9]+)*").Select(m => m.Value).ToList();

    public static IReadOnlyList<string> KeywordsOf(string text) => Words(text)
        .Where(w => w.Length >= 3 && !StopWords.Contains(w))
        .Select(w => w.ToLowerInvariant())
        .Distinct()
        .ToList();

    public static string Pascal(IEnumerable<string> words) => string.Concat(words
        .SelectMany(w => Regex.Split(w, @"['’-]"))
        .Where(w => w.Length > 0)
        .Select(w => char.ToUpperInvariant(w[0]) + (w.Length > 1 && w.Skip(1).All(char.IsUpper) ? w[1..].ToLowerInvariant() : w[1..])));

    private static IEnumerable<string> Sentences(string paragraph) =>
        Regex.Split(paragraph.Trim(), @"(?<=[.!?;])\s+(?=[A-Z0-9""'(])")
            .Select(Clean)
            .OfType<string>();

    private static string? Clean(string statement)
    {
        var text = Regex.Replace(statement, @"\s+", " ").Trim().Trim('*', '_', '`').Trim();
        text = text.TrimEnd('.', ';', '!', ' ');
        // "The following is needed:" introduces a list rather than stating a need.
        return Words(text).Count < 2 || text.EndsWith(':') ? null : text;
    }

    private static List<OfflineRequirement> Build(List<string> statements, string prefix, bool fromReview, IEnumerable<string> takenNames)
    {
        var taken = new HashSet<string>(takenNames, StringComparer.Ordinal);
        var items = new List<OfflineRequirement>();
        for (var i = 0; i < statements.Count; i++)
        {
            var id = $"{prefix}{(i + 1).ToString(CultureInfo.InvariantCulture)}";
            var (actor, action, benefit) = Parse(statements[i]);
            var keywords = KeywordsOf(statements[i]);
            var name = MethodNameFor(action ?? statements[i], id);
            var unique = name;
            for (var n = 2; !taken.Add(unique); n++)
            {
                unique = name + n.ToString(CultureInfo.InvariantCulture);
            }

            items.Add(new OfflineRequirement(id, statements[i], actor, action, benefit, keywords, unique, fromReview));
        }

        return items;
    }

    private static (string Actor, string? Action, string? Benefit) Parse(string statement)
    {
        string? benefit = null;
        var text = statement;
        var soThat = Regex.Match(text, @",?\s+so that\s+(.+)$", RegexOptions.IgnoreCase);
        if (soThat.Success)
        {
            benefit = soThat.Groups[1].Value.Trim();
            text = text[..soThat.Index];
        }

        var story = Regex.Match(text, @"^As an? ([^,]+),\s*I (?:want|need|would like) (?:to )?(.+)$", RegexOptions.IgnoreCase);
        if (story.Success)
        {
            return (story.Groups[1].Value.Trim(), story.Groups[2].Value.Trim(), benefit);
        }

        foreach (var modal in Modals)
        {
            var match = Regex.Match(text, @"^(.{1,60}?)\s+" + Regex.Escape(modal) + @"\s+(?:be able to\s+)?(.+)$", RegexOptions.IgnoreCase);
            if (!match.Success)
            {
                continue;
            }

            var subject = match.Groups[1].Value.Trim();
            var action = match.Groups[2].Value.Trim();
            if (SystemSubjects.Contains(subject))
            {
                return ("user", $"have the system {action}", benefit);
            }

            return (Singular(Regex.Replace(subject, @"^(?:the|a|an|all|every|each|any)\s+", "", RegexOptions.IgnoreCase)).ToLowerInvariant(), action, benefit);
        }

        // An imperative ("Export invoices to CSV") is itself the action.
        var first = Words(text).FirstOrDefault() ?? "";
        return Regex.IsMatch(first, @"^(?:add|allow|show|list|send|export|import|create|delete|remove|edit|update|let|display|store|save|track|notify|search|filter|sort|calculate|generate|validate|log|email|support|provide|enable|keep|check|print|upload|download|sync|schedule|report|reset|sign|log|view|manage|approve|reject|invite|pay|book|cancel|compare|record|warn|block|limit|archive|restore|share|publish)$", RegexOptions.IgnoreCase)
            ? ("user", char.ToLowerInvariant(text[0]) + text[1..], benefit)
            : ("user", null, benefit);
    }

    private static string Singular(string word) =>
        word.EndsWith("ies", StringComparison.OrdinalIgnoreCase) && word.Length > 4 ? word[..^3] + "y"
        : word.EndsWith('s') && !word.EndsWith("ss", StringComparison.OrdinalIgnoreCase) && word.Length > 3 ? word[..^1]
        : word;

    private static string MethodNameFor(string action, string id)
    {
        var words = Regex.Matches(action, @"[A-Za-z0-9]+").Select(m => m.Value)
            .Where(w => !StopWords.Contains(w) || string.Equals(w, "sign", StringComparison.OrdinalIgnoreCase))
            .Where(w => !string.Equals(w, "have", StringComparison.OrdinalIgnoreCase))
            .Take(4)
            .ToList();
        var name = Pascal(words);
        return name.Length == 0 || !char.IsLetter(name[0]) ? $"Handle{id}" : name;
    }
}
