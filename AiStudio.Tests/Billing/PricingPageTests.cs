using System.Net;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.Billing;

/// <summary>The pricing page of an installation without Stripe keys, as the server renders it.</summary>
public sealed class PricingPageTests : IAsyncLifetime
{
    private readonly AiStudioWebFactory _factory = new(new Dictionary<string, string?> { ["Billing:DefaultPlan"] = "Free" });
    private Uri _address = null!;

    public Task InitializeAsync()
    {
        _address = _factory.StartAndGetAddress();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Pricing_BillingOff_ShowsThePlansAndSaysEveryoneIsOnTheDefaultPlanWithoutCheckoutButtons()
    {
        using var client = new HttpClient { BaseAddress = _address };

        using var response = await client.GetAsync("pricing");
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("<h1[^>]*>Pricing</h1>", html);
        Assert.Contains("Billing is not configured on this installation; everyone is on the Free plan.", html);
        Assert.Contains("5 builds a month", html);
        Assert.Contains("100 builds a month", html);
        Assert.Contains("Unlimited builds", html);
        Assert.Contains("the offline model, gpt-4o-mini", html);
        Assert.DoesNotContain("Choose ", html);
    }

    [Fact]
    public async Task Webhook_BillingOff_Returns503AndNothingElse()
    {
        using var client = new HttpClient { BaseAddress = _address };

        using var response = await client.PostAsync("billing/webhook", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
