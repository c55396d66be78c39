using System.Text.RegularExpressions;

namespace AiStudio.Core.Builds;

/// <summary>
/// The machine-readable last word of the Test Auditor and the Verification Overseer:
/// <c>Verdict: PASS</c> or <c>Verdict: REWORK &lt;phase&gt;: &lt;reasons&gt;</c>.
/// </summary>
public sealed partial record StructuredVerdict(bool Pass, Phase? ReworkPhase, string Reasons)
{
    public static StructuredVerdict? Parse(string? output)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            return null;
        }

        var match = VerdictLine().Matches(output).LastOrDefault();
        if (match is null)
        {
            return null;
        }

        if (match.Groups["kind"].Value.Equals("PASS", StringComparison.OrdinalIgnoreCase))
        {
            return new StructuredVerdict(true, null, "");
        }

        Phase? phase = Enum.TryParse<Phase>(match.Groups["phase"].Value, ignoreCase: true, out var p) && Enum.IsDefined(p) ? p : null;
        var reasons = match.Groups["reasons"].Value.Trim().TrimEnd('*', '_', '`').Trim();
        return new StructuredVerdict(false, phase, reasons.Length > 0 ? reasons : "The reviewer role asked for rework without giving reasons.");
    }

    [GeneratedRegex(@"^\W*Verdict\W*:\s*(?<kind>PASS|REWORK)\b[ \t]*(?<phase>[A-Za-z]+)?[ \t]*:?[ \t]*(?<reasons>[^\r\n]*)", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex VerdictLine();
}
