using AiStudio.Core.Billing;
using AiStudio.Tests.Browser;
using AiStudio.Tests.Support;
using Microsoft.Playwright;

namespace AiStudio.Tests.Billing;

/// <summary>
/// A customer buys Pro in Debian's Chromium: pricing, Stripe's (fake) Checkout page, back to the app, and the
/// return page turns to "active" by itself when the signed webhook has been processed.
/// </summary>
public sealed class BillingBrowserTests : IAsyncLifetime
{
    private FakeStripeServer _stripe = null!;
    private AiStudioWebFactory _factory = null!;
    private BrowserSession _browser = null!;

    public async Task InitializeAsync()
    {
        _stripe = await FakeStripeServer.StartAsync();
        _factory = new AiStudioWebFactory(BillingWebHost.Settings(_stripe));
        var address = _factory.StartAndGetAddress();
        _stripe.WebhookUrl = new Uri(address, "billing/webhook").ToString();
        _browser = await BrowserSession.StartAsync(address);
        BrowserFlows.UseSessionTimeoutForAssertions();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _factory.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    [Fact]
    public Task ChoosePro_PaysOnStripeCheckout_ReturnPageShowsThePlanActiveWithoutAReload() =>
        _browser.RunAsync(nameof(ChoosePro_PaysOnStripeCheckout_ReturnPageShowsThePlanActiveWithoutAReload), async page =>
    {
        await BrowserFlows.SignUpAsync(_browser, "payer@example.com");
        await page.GetByRole(AriaRole.Link, new() { Name = "Pricing" }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pricing", Level = 1 })).ToBeVisibleAsync();
        await _browser.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Choose Team" })).ToBeVisibleAsync();

        // Stripe's webhooks are held until the return page is up, so the page has to change in front of us.
        _stripe.HoldCheckoutWebhooks();
        await page.GetByRole(AriaRole.Button, new() { Name = "Choose Pro" }).ClickAsync();

        await page.WaitForURLAsync(url => url.Contains("/billing/return?session_id=cs_test_", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank you" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Waiting for Stripe to confirm your payment")).ToBeVisibleAsync();
        await _browser.WaitForCircuitAsync();
        Assert.Equal(1, _stripe.CheckoutVisits);
        await page.EvaluateAsync("() => window.__stillTheSamePage = true");

        _stripe.ReleaseCheckoutWebhooks();

        await Assertions.Expect(page.GetByText("Your Pro plan is active.")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__stillTheSamePage === true"), "The return page reloaded instead of updating in place.");
        // The plan turns active on the first of the two webhooks; the second may still be on its way.
        await Eventually.Until(() => Task.FromResult(_stripe.Deliveries.Count == 2), TimeSpan.FromSeconds(10),
            () => $"both checkout webhooks should be delivered; {_stripe.Deliveries.Count} were");
        Assert.All(_stripe.Deliveries, d => Assert.Equal(System.Net.HttpStatusCode.OK, d.Status));

        // The billing page shows the plan and usage, and "Manage subscription" opens Stripe's customer portal.
        await page.GetByRole(AriaRole.Link, new() { Name = "See billing" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Billing", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#billing-plan")).ToHaveTextAsync("Pro");
        await Assertions.Expect(page.Locator("#billing-status")).ToHaveTextAsync("Active");
        await Assertions.Expect(page.Locator("#billing-usage")).ToHaveTextAsync("0 of 100 builds");
        await Assertions.Expect(page.Locator("#billing-period-end")).ToBeVisibleAsync();
        await _browser.WaitForCircuitAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Manage subscription" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Customer portal" })).ToBeVisibleAsync();
        Assert.StartsWith(_stripe.BaseUrl + "/portal/bps_", page.Url);
    });
}
