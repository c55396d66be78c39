using System.Net;
using System.Net.Http.Json;
using AiStudio.Tests.Api;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.Billing;

[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class PlanLimitApiTests : IAsyncLifetime
{
    private readonly ApiHost _api = new(new Dictionary<string, string?>
    {
        ["Billing:DefaultPlan"] = "Free",
        ["Billing:Plans:Free:BuildsPerMonth"] = "1",
    });

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task StartBuild_BeyondTheMonthsQuotaBillingOff_Answers402WithoutAnUpgradeLinkAndCreatesNothing()
    {
        using var client = _api.Client(_api.AliceToken);
        var request = new { projectName = "Billing", title = "Reminders", requirements = "Customers receive an email reminder before an invoice is due." };

        var first = await client.PostAsJsonAsync("api/builds", request);
        var second = await client.PostAsJsonAsync("api/builds", request with { });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.PaymentRequired, second.StatusCode);
        var problem = await second.JsonAsync();
        // Nothing can be bought on this installation, so no link to the pricing page; the detail says what an administrator can do.
        Assert.Null(problem["upgrade"]);
        Assert.Contains("an administrator can raise Billing:Plans:Free:BuildsPerMonth", problem["detail"]!.GetValue<string>());
        var builds = await client.GetFromJsonAsync<List<object>>("api/builds");
        Assert.Single(builds!);
    }
}
