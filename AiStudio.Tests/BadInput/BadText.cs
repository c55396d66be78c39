namespace AiStudio.Tests.BadInput;

/// <summary>
/// The bad values of the suite, by name (theory rows carry the name, so a megabyte never lands in a test's
/// display name). Refused: every field turns them away. Allowed: free text that must be stored and shown back exactly.
/// </summary>
public static class BadText
{
    public const string Empty = "empty";
    public const string Whitespace = "whitespace only";
    public const string Megabyte = "1 MB of text";
    public const string ControlCharacters = "control characters";
    public const string BidiOverride = "right-to-left override";
    public const string LoneSurrogate = "half an emoji";
    public const string ScriptTag = "script tag";
    public const string SqlLooking = "SQL-looking";
    public const string MixedScripts = "mixed scripts and emoji";

    // Two ways in: a script element and an event handler. Short enough for a project name.
    public const string ScriptValue = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\">";
    public const string SqlValue = "Robert'); DROP TABLE Builds;-- OR 1=1 /* \" */";
    public const string MixedValue = "Ünïcødé Ελληνικά Русский 日本語 العربية עברית हिन्दी 👩‍💻🚀🇺🇦 e\u0301";

    public static readonly IReadOnlyList<string> EmptyValues = [Empty, Whitespace];

    /// <summary>Refused by every field, required or not.</summary>
    public static readonly IReadOnlyList<string> AlwaysRefused = [Megabyte, ControlCharacters, BidiOverride, LoneSurrogate];

    public static readonly IReadOnlyList<string> Allowed = [ScriptTag, SqlLooking, MixedScripts];

    private static readonly string MegabyteValue = string.Concat(Enumerable.Repeat("Requirement text. ", 1024 * 1024 / 18 + 1))[..(1024 * 1024)];

    public static string Value(string name) => name switch
    {
        Empty => "",
        Whitespace => " \t \n  ",
        Megabyte => MegabyteValue,
        ControlCharacters => "Invoice\u0000export\u0007with\u001b[31mcolour",
        BidiOverride => "Invoice \u202Egnp.exe export",
        LoneSurrogate => "Invoice export with half \uD83D an emoji",
        ScriptTag => ScriptValue,
        SqlLooking => SqlValue,
        MixedScripts => MixedValue,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>What the message must say for a refused value, so that a person knows what to change.</summary>
    public static string ExpectedWording(string name) => name switch
    {
        Megabyte => "at most",
        ControlCharacters or BidiOverride or LoneSurrogate => "control characters",
        _ => "",
    };
}
