using System.Globalization;
using AiStudio.Core.Builds;
using AiStudio.Core.Roles;

namespace AiStudio.Core.Costs;

/// <summary>One model call of a build: what it used and what it cost (exact, in US dollars).</summary>
/// <param name="IsPriced">False when the model had no price, so <paramref name="Cost"/> is 0 but not free.</param>
public sealed record CostLine(Phase Phase, AiRole Role, string ModelId, int InputTokens, int OutputTokens, decimal Cost, bool IsPriced = true);

/// <summary>Sums over some lines. <see cref="UnpricedCalls"/> &gt; 0 means the true cost is higher than <see cref="Cost"/>.</summary>
public sealed record CostTotals(int Calls, long InputTokens, long OutputTokens, decimal Cost, int UnpricedCalls)
{
    public static CostTotals Empty { get; } = new(0, 0, 0, 0m, 0);

    public long Tokens => InputTokens + OutputTokens;

    internal CostTotals Add(CostLine line) => new(
        Calls + 1, InputTokens + line.InputTokens, OutputTokens + line.OutputTokens, Cost + line.Cost, UnpricedCalls + (line.IsPriced ? 0 : 1));
}

public sealed record PhaseCost(Phase Phase, CostTotals Totals);

public sealed record RoleCost(AiRole Role, CostTotals Totals);

public sealed record ModelCost(string ModelId, CostTotals Totals);

/// <summary>A build's costs, whole and broken down per phase, role and model.</summary>
public sealed record CostSummary(CostTotals Build, IReadOnlyList<PhaseCost> ByPhase, IReadOnlyList<RoleCost> ByRole, IReadOnlyList<ModelCost> ByModel);

/// <summary>Adds up a build's cost lines. Sums are exact decimals; only <see cref="Format"/> rounds.</summary>
public static class CostLedger
{
    public static CostSummary Summarize(IEnumerable<CostLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var all = lines.ToList();
        return new CostSummary(
            Total(all),
            all.GroupBy(l => l.Phase).OrderBy(g => g.Key).Select(g => new PhaseCost(g.Key, Total(g))).ToList(),
            all.GroupBy(l => l.Role).OrderBy(g => g.Key).Select(g => new RoleCost(g.Key, Total(g))).ToList(),
            all.GroupBy(l => l.ModelId, StringComparer.OrdinalIgnoreCase)
                .Select(g => new ModelCost(g.First().ModelId, Total(g)))
                .OrderByDescending(m => m.Totals.Cost)
                .ThenBy(m => m.ModelId, StringComparer.Ordinal)
                .ToList());
    }

    /// <summary>
    /// US dollars for display: cents from $1 up, four decimals below (a single call often costs a fraction of a cent).
    /// </summary>
    public static string Format(decimal usd)
    {
        var abs = Math.Abs(usd);
        var rounded = Math.Round(usd, abs >= 1m ? 2 : 4, MidpointRounding.AwayFromZero);
        return (rounded < 0 ? "-$" : "$") + Math.Abs(rounded).ToString(abs >= 1m ? "#,0.00" : "0.0000", CultureInfo.InvariantCulture);
    }

    private static CostTotals Total(IEnumerable<CostLine> lines) => lines.Aggregate(CostTotals.Empty, (sum, line) => sum.Add(line));
}
