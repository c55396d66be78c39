namespace AiStudio.Benchmarks.Harness;

/// <summary>
/// One measured figure against its target. <paramref name="Value"/> is in the unit of the target; lower is better
/// unless <paramref name="HigherIsBetter"/>. <paramref name="Why"/> explains a miss (or how the figure was reached).
/// The report's summary lists the figures with a target, and those without one that say <paramref name="InSummary"/>.
/// </summary>
public sealed record Figure(
    string Benchmark,
    string What,
    double Value,
    string Unit,
    double? Target,
    bool HigherIsBetter = false,
    string Detail = "",
    string Why = "",
    bool InSummary = false)
{
    public bool? Met => Target is not { } target ? null : HigherIsBetter ? Value >= target : Value <= target;

    public string TargetText => Target is not { } target ? "(context)" : $"{(HigherIsBetter ? "≥" : "≤")} {Samples.Format(target)} {Unit}";

    public string ValueText => $"{Samples.Format(Value)} {Unit}";

    /// <summary>"met", or "missed by X (Y %)".</summary>
    public string Verdict
    {
        get
        {
            if (Target is not { } target)
            {
                return "";
            }

            if (Met == true)
            {
                return "met";
            }

            var gap = Math.Abs(Value - target);
            var percent = target == 0 ? double.NaN : gap / target * 100;
            return $"missed by {Samples.Format(gap)} {Unit} ({percent:0} %)";
        }
    }
}
