using AiStudio.Core.Billing;
using AiStudio.Core.Common;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Billing;

/// <summary>Checkout and the customer portal through the real Stripe.net client, against the fake Stripe on loopback.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class CheckoutTests : IAsyncLifetime
{
    private const string AppBase = "https://studio.example.com/";

    private FakeStripeServer _stripe = null!;
    private TestAppHost _host = null!;

    public async Task InitializeAsync()
    {
        _stripe = await FakeStripeServer.StartAsync();
        var settings = EntitlementTests.Plans();
        settings["Billing:Stripe:SecretKey"] = FakeStripeServer.SecretKey;
        settings["Billing:Stripe:WebhookSecret"] = FakeStripeServer.WebhookSecret;
        settings["Billing:Stripe:ApiBase"] = _stripe.BaseUrl;
        _host = await TestAppHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    private IBillingService Billing => _host.Get<IBillingService>();

    [Fact]
    public async Task StartCheckoutAsync_TwiceForOneUser_CreatesTheStripeCustomerOnceAndReusesIt()
    {
        var actor = await _host.CreateUserAsync("twice@example.com");

        await Billing.StartCheckoutAsync(actor, "Pro", AppBase);
        await Billing.StartCheckoutAsync(actor, "Team", AppBase);

        var customerRequest = Assert.Single(_stripe.RequestsTo("/v1/customers"));
        Assert.Equal("twice@example.com", customerRequest.Form["email"]);
        Assert.Equal(actor.UserId, customerRequest.Form["metadata[user_id]"]);
        Assert.Equal($"aistudio-customer-{actor.UserId}", customerRequest.IdempotencyKey);

        var account = await GetAccountAsync(actor);
        Assert.StartsWith("cus_", account.StripeCustomerId);
        var sessions = _stripe.RequestsTo("/v1/checkout/sessions");
        Assert.Equal(2, sessions.Count);
        Assert.All(sessions, s => Assert.Equal(account.StripeCustomerId, s.Form["customer"]));
        Assert.Equal(["price_pro_test", "price_team_test"], sessions.Select(s => s.Form["line_items[0][price]"]));

        await using var db = await _host.CreateDbContextAsync();
        Assert.Equal(1, await db.AuditEvents.CountAsync(a => a.ActorId == actor.UserId && a.Action == BillingAuditActions.CustomerCreated));
    }

    [Fact]
    public async Task StartCheckoutAsync_Pro_CreatesASubscriptionSessionForTheUserAndReturnsItsPage()
    {
        var actor = await _host.CreateUserAsync("buyer@example.com");

        var url = await Billing.StartCheckoutAsync(actor, "pro", AppBase);

        var session = Assert.Single(_stripe.RequestsTo("/v1/checkout/sessions"));
        Assert.Equal("subscription", session.Form["mode"]);
        Assert.Equal(actor.UserId, session.Form["client_reference_id"]);
        Assert.Equal("price_pro_test", session.Form["line_items[0][price]"]);
        Assert.Equal("1", session.Form["line_items[0][quantity]"]);
        Assert.Equal(actor.UserId, session.Form["metadata[user_id]"]);
        Assert.Equal("Pro", session.Form["metadata[plan]"]);
        Assert.Equal(actor.UserId, session.Form["subscription_data[metadata][user_id]"]);
        Assert.Equal("https://studio.example.com/billing/return?session_id={CHECKOUT_SESSION_ID}", session.Form["success_url"]);
        Assert.Equal("https://studio.example.com/pricing", session.Form["cancel_url"]);
        Assert.Equal($"Bearer {FakeStripeServer.SecretKey}", session.Authorization);
        Assert.Equal(Stripe.StripeConfiguration.ApiVersion, session.StripeVersion);
        Assert.StartsWith($"{_stripe.BaseUrl}/checkout/cs_test_", url);
    }

    [Fact]
    public async Task StartCheckoutAsync_PlanNotForSaleOrUnknown_IsRefusedAndCallsNoStripe()
    {
        var actor = await _host.CreateUserAsync("free@example.com");

        var notForSale = await Assert.ThrowsAsync<DomainException>(() => Billing.StartCheckoutAsync(actor, "Free", AppBase));
        var unknown = await Assert.ThrowsAsync<DomainException>(() => Billing.StartCheckoutAsync(actor, "Platinum", AppBase));

        Assert.Contains("not sold", notForSale.Message);
        Assert.Contains("no plan called \"Platinum\"", unknown.Message);
        Assert.Empty(_stripe.Requests);
    }

    [Fact]
    public async Task StartCheckoutAsync_UserAlreadySubscribed_IsRefusedWithAPointerToManageSubscription()
    {
        var actor = await _host.CreateUserAsync("subscribed@example.com");
        await using (var db = await _host.CreateDbContextAsync())
        {
            var account = BillingAccount.Open(actor.UserId, DateTimeOffset.UtcNow);
            account.AttachCustomer("cus_existing", DateTimeOffset.UtcNow);
            account.Apply(new SubscriptionSnapshot("sub_existing", "Pro", SubscriptionStatus.Active, DateTimeOffset.UtcNow.AddDays(20), false), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
            db.BillingAccounts.Add(account);
            await db.SaveChangesAsync();
        }

        var refused = await Assert.ThrowsAsync<DomainException>(() => Billing.StartCheckoutAsync(actor, "Team", AppBase));

        Assert.Contains("You already have the Pro plan", refused.Message);
        Assert.Contains("Manage subscription", refused.Message);
        Assert.Empty(_stripe.RequestsTo("/v1/checkout/sessions"));
    }

    [Fact]
    public async Task StartCheckoutAsync_ProThenTeamBeforeAnyWebhook_TheProSessionIsExpiredSoOnlyOneCanBePaid()
    {
        var actor = await _host.CreateUserAsync("twotabs@example.com");

        var proUrl = await Billing.StartCheckoutAsync(actor, "Pro", AppBase);
        var teamUrl = await Billing.StartCheckoutAsync(actor, "Team", AppBase);

        Assert.NotEqual(proUrl, teamUrl);
        var proSession = proUrl[(proUrl.LastIndexOf('/') + 1)..];
        Assert.Single(_stripe.RequestsTo($"/v1/checkout/sessions/{proSession}/expire"));
        _stripe.HoldCheckoutWebhooks();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using (var paidPro = await browser.GetAsync(proUrl))
        {
            Assert.Equal(System.Net.HttpStatusCode.Gone, paidPro.StatusCode);
        }

        using (var paidTeam = await browser.GetAsync(teamUrl))
        {
            Assert.Equal(System.Net.HttpStatusCode.Redirect, paidTeam.StatusCode);
        }

        Assert.Equal(1, _stripe.CheckoutVisits);
    }

    [Fact]
    public async Task StartCheckoutAsync_SamePlanTwiceBeforeAnyWebhook_ReusesTheOpenSession()
    {
        var actor = await _host.CreateUserAsync("doubleclick@example.com");

        var first = await Billing.StartCheckoutAsync(actor, "Pro", AppBase);
        var second = await Billing.StartCheckoutAsync(actor, "Pro", AppBase);

        Assert.Equal(first, second);
        Assert.Single(_stripe.RequestsTo("/v1/checkout/sessions"));
    }

    [Fact]
    public async Task StartCheckoutAsync_PaidInAnotherTabButTheWebhookHasNotArrived_IsRefusedAndStartsNoSession()
    {
        var actor = await _host.CreateUserAsync("paidalready@example.com");
        var proUrl = await Billing.StartCheckoutAsync(actor, "Pro", AppBase);
        _stripe.HoldCheckoutWebhooks();
        using (var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
        using (var paid = await browser.GetAsync(proUrl))
        {
            Assert.Equal(System.Net.HttpStatusCode.Redirect, paid.StatusCode);
        }

        var refused = await Assert.ThrowsAsync<DomainException>(() => Billing.StartCheckoutAsync(actor, "Team", AppBase));

        Assert.Contains("You already have the Pro plan", refused.Message);
        Assert.Single(_stripe.RequestsTo("/v1/checkout/sessions"));
    }

    [Fact]
    public async Task OpenCustomerPortalAsync_CustomerExists_CreatesAPortalSessionReturningToBilling()
    {
        var actor = await _host.CreateUserAsync("portal@example.com");
        await Assert.ThrowsAsync<DomainException>(() => Billing.OpenCustomerPortalAsync(actor, AppBase + "billing"));
        await Billing.StartCheckoutAsync(actor, "Pro", AppBase);

        var url = await Billing.OpenCustomerPortalAsync(actor, AppBase + "billing");

        var portal = Assert.Single(_stripe.RequestsTo("/v1/billing_portal/sessions"));
        Assert.Equal((await GetAccountAsync(actor)).StripeCustomerId, portal.Form["customer"]);
        Assert.Equal("https://studio.example.com/billing", portal.Form["return_url"]);
        Assert.StartsWith($"{_stripe.BaseUrl}/portal/bps_", url);
    }

    private async Task<BillingAccount> GetAccountAsync(Actor actor)
    {
        await using var db = await _host.CreateDbContextAsync();
        return await db.BillingAccounts.AsNoTracking().SingleAsync(a => a.UserId == actor.UserId);
    }
}
