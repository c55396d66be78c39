using AiStudio.Core.Builds;
using AiStudio.Core.Costs;
using AiStudio.Core.Roles;

namespace AiStudio.Tests.Costs;

public sealed class CostLedgerTests
{
    private static readonly CostLine[] Lines =
    [
        new(Phase.Discovery, AiRole.QAssistant, "gpt-4o", 1_234, 567, 0.008755m),
        new(Phase.Planning, AiRole.QAssistant, "gpt-4o", 2_000, 1_000, 0.015m),
        new(Phase.Implementation, AiRole.CodeWriter, "claude-sonnet-4-5", 10_000, 4_000, 0.09m),
        new(Phase.Implementation, AiRole.CodeWriter, "claude-sonnet-4-5", 12_000, 3_000, 0.081m),
        new(Phase.Testing, AiRole.TestAuditor, "llama3.1", 5_000, 2_000, 0m, IsPriced: false),
    ];

    [Fact]
    public void Summarize_Lines_TotalsTheBuildExactly()
    {
        var summary = CostLedger.Summarize(Lines);

        Assert.Equal(new CostTotals(5, 30_234, 10_567, 0.194755m, 1), summary.Build);
        Assert.Equal(40_801, summary.Build.Tokens);
    }

    [Fact]
    public void Summarize_Lines_TotalsPerPhaseInPipelineOrder()
    {
        var summary = CostLedger.Summarize(Lines.Reverse());

        Assert.Equal(
            [
                new PhaseCost(Phase.Discovery, new CostTotals(1, 1_234, 567, 0.008755m, 0)),
                new PhaseCost(Phase.Planning, new CostTotals(1, 2_000, 1_000, 0.015m, 0)),
                new PhaseCost(Phase.Implementation, new CostTotals(2, 22_000, 7_000, 0.171m, 0)),
                new PhaseCost(Phase.Testing, new CostTotals(1, 5_000, 2_000, 0m, 1)),
            ],
            summary.ByPhase);
    }

    [Fact]
    public void Summarize_Lines_TotalsPerRoleAndPerModelMostExpensiveFirst()
    {
        var summary = CostLedger.Summarize(Lines);

        Assert.Equal(
            [
                new RoleCost(AiRole.QAssistant, new CostTotals(2, 3_234, 1_567, 0.023755m, 0)),
                new RoleCost(AiRole.CodeWriter, new CostTotals(2, 22_000, 7_000, 0.171m, 0)),
                new RoleCost(AiRole.TestAuditor, new CostTotals(1, 5_000, 2_000, 0m, 1)),
            ],
            summary.ByRole);
        Assert.Equal(
            [
                new ModelCost("claude-sonnet-4-5", new CostTotals(2, 22_000, 7_000, 0.171m, 0)),
                new ModelCost("gpt-4o", new CostTotals(2, 3_234, 1_567, 0.023755m, 0)),
                new ModelCost("llama3.1", new CostTotals(1, 5_000, 2_000, 0m, 1)),
            ],
            summary.ByModel);
    }

    [Fact]
    public void Summarize_ManySmallCosts_LosesNothingToRounding()
    {
        var lines = Enumerable.Repeat(new CostLine(Phase.Discovery, AiRole.QAssistant, "gpt-4o-mini", 1, 1, 0.00000075m), 1_000_000);

        Assert.Equal(0.75m, CostLedger.Summarize(lines).Build.Cost);
    }

    [Fact]
    public void Summarize_NoLines_GivesZeroTotalsAndEmptyBreakdowns()
    {
        var summary = CostLedger.Summarize([]);

        Assert.Equal(CostTotals.Empty, summary.Build);
        Assert.Empty(summary.ByPhase);
        Assert.Empty(summary.ByRole);
        Assert.Empty(summary.ByModel);
    }

    [Theory]
    [InlineData("0.008755", "$0.0088")]
    [InlineData("0.00004", "$0.0000")]
    [InlineData("0.194755", "$0.1948")]
    [InlineData("1.005", "$1.01")]
    [InlineData("1234.5", "$1,234.50")]
    [InlineData("0", "$0.0000")]
    public void Format_Amount_RoundsForDisplayOnly(string usd, string expected)
    {
        Assert.Equal(expected, CostLedger.Format(decimal.Parse(usd, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
