using AiStudio.Core.Costs;
using AiStudio.Core.ModelProviders.Offline;
using AiStudio.Tests.ModelProviders;
using AiStudio.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiStudio.Tests.Costs;

public sealed class CostCalculatorTests
{
    [Fact]
    public void Cost_Gpt4o_IsExactToTheMillionth()
    {
        var costs = Calculator([]);

        Assert.Equal(0.008755m, costs.Cost("gpt-4o", 1_234, 567));
    }

    [Theory]
    [InlineData("gpt-4o-mini", 1_000_000, 1_000_000, "0.75")]
    [InlineData("claude-sonnet-4-5", 2_000, 1_000, "0.021")]
    [InlineData("claude-haiku-4-5", 1, 1, "0.000006")]
    [InlineData("CLAUDE-SONNET-4-5", 1_000_000, 0, "3")]
    [InlineData(OfflineChatCompletionService.ModelId, 50_000, 50_000, "0")]
    public void Cost_DefaultPrices_AreListPricesPerMillionTokens(string model, int input, int output, string expected)
    {
        var costs = Calculator([]);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), costs.Cost(model, input, output));
        Assert.True(costs.IsPriced(model));
    }

    [Theory]
    [InlineData("claude-sonnet-4-5-20250929")]
    [InlineData("gpt-4o-2024-08-06")]
    [InlineData("claude-sonnet-4-5-latest")]
    public void Cost_DatedSnapshotOfAPricedModel_UsesItsAliasPrice(string snapshot)
    {
        var costs = Calculator([]);
        var alias = snapshot[..snapshot.LastIndexOf(snapshot.Contains("-20") ? "-20" : "-latest", StringComparison.Ordinal)];

        Assert.True(costs.IsPriced(snapshot));
        Assert.Equal(costs.Cost(alias, 1_000, 1_000), costs.Cost(snapshot, 1_000, 1_000));
    }

    [Fact]
    public void Cost_UnknownModel_IsZeroAndUnpriced()
    {
        var costs = Calculator([]);

        Assert.Equal(0m, costs.Cost("llama3.1", 10_000, 10_000));
        Assert.False(costs.IsPriced("llama3.1"));
        Assert.Null(costs.PriceOf("llama3.1"));
        Assert.False(costs.IsPriced(""));
    }

    [Fact]
    public void Cost_ConfiguredPrices_OverrideOneFieldAndAddModels()
    {
        var costs = Calculator(new()
        {
            ["Pricing:Models:gpt-4o:InputPerMillion"] = "2.00",
            ["Pricing:Models:team-gpt4o:InputPerMillion"] = "2.75",
            ["Pricing:Models:team-gpt4o:OutputPerMillion"] = "11",
            ["Pricing:Models:llama3.1:InputPerMillion"] = "0",
        });

        Assert.Equal(0.002m + 0.010m, costs.Cost("gpt-4o", 1_000, 1_000));
        Assert.Equal(0.00275m + 0.011m, costs.Cost("team-gpt4o", 1_000, 1_000));
        Assert.True(costs.IsPriced("llama3.1"));
        Assert.Equal(0m, costs.Cost("llama3.1", 1_000, 1_000));
        Assert.Equal(0.00015m, costs.Cost("gpt-4o-mini", 1_000, 0));
    }

    [Fact]
    public void Options_NegativePrice_FailsValidationNamingTheModel()
    {
        using var services = Services(new() { ["Pricing:Models:gpt-4o:OutputPerMillion"] = "-1" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PricingOptions>>().Value);

        Assert.Equal(
            "Pricing:Models:gpt-4o has a negative price (InputPerMillion 2.50, OutputPerMillion -1); prices are US dollars per million tokens, 0 or more.",
            Assert.Single(error.Failures));
    }

    [Fact]
    public void AddModelProviders_Registration_ResolvesTheCostCalculatorOnce()
    {
        using var services = ChatModelCatalogTests.Services([], s => s.AddCosts(new ConfigurationBuilder().Build()));

        Assert.Single(services.GetServices<ICostCalculator>());
        Assert.Equal(0.008755m, services.GetRequiredService<ICostCalculator>().Cost("gpt-4o", 1_234, 567));
    }

    [Fact]
    public async Task AddAiStudioCore_WholeApp_PricesWithTheConfiguredTable()
    {
        await using var host = await TestAppHost.StartAsync(new Dictionary<string, string?> { ["Pricing:Models:llama3.1:OutputPerMillion"] = "1" });

        var costs = host.Services.GetRequiredService<ICostCalculator>();

        Assert.Equal(0.008755m, costs.Cost("gpt-4o", 1_234, 567));
        Assert.Equal(0.000001m, costs.Cost("llama3.1", 0, 1));
    }

    private static ICostCalculator Calculator(Dictionary<string, string?> settings) =>
        Services(settings).GetRequiredService<ICostCalculator>();

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddCosts(configuration).BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }
}
