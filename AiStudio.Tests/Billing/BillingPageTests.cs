using AiStudio.Core.Billing;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Billing;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Billing;

/// <summary>The billing page after real webhook histories, rendered against the real services.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class BillingPageTests : ComponentTestBase, IClassFixture<BillingWebHost>
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    // The page loads through the real services and database; on a busy machine that takes more than bUnit's one second.
    private static readonly TimeSpan Loading = TimeSpan.FromSeconds(30);

    private readonly BillingWebHost _host;

    public BillingPageTests(BillingWebHost host)
    {
        _host = host;
        Services.AddSingleton(host.Get<IBillingService>());
    }

    [Fact]
    public async Task BillingPage_AfterAnImmediateCancellation_ShowsTheFreePlanAndNoPaidPeriod()
    {
        _host.Clock.Now = T0;
        var (user, customer) = await _host.CreateCustomerAsync("cancelnow@example.com");
        SignIn(user);
        var subscriptionId = $"sub_{Guid.NewGuid():N}";
        var periodEnd = new DateTimeOffset(2027, 1, 6, 12, 0, 0, TimeSpan.Zero);
        await SendAsync("customer.subscription.created", _host.Stripe.PutSubscription(
            FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.ProPrice, "active", periodEnd, created: T0)), T0);

        // Cancelled in the portal with "cancel immediately": Stripe deletes the subscription; its period end stays on the object.
        _host.Clock.Now = T0.AddDays(1);
        await SendAsync("customer.subscription.deleted", _host.Stripe.PutSubscription(
            FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.ProPrice, "canceled", periodEnd, created: T0)), T0.AddDays(1));

        var cut = Render<BillingPage>();

        cut.WaitForAssertion(() => Assert.Equal("Free", cut.Find("#billing-plan").TextContent.Trim()), Loading);
        Assert.Equal("Canceled", cut.Find("#billing-status").TextContent.Trim());
        Assert.Empty(cut.FindAll("#billing-period-end"));
        Assert.DoesNotContain("6 January 2027", cut.Markup);
        Assert.DoesNotContain("Paid period ends", cut.Markup);
    }

    [Fact]
    public async Task BillingPage_CancelledAtPeriodEnd_ShowsThePaidPeriodEnd()
    {
        _host.Clock.Now = T0;
        var (user, customer) = await _host.CreateCustomerAsync("cancellater@example.com");
        SignIn(user);
        var subscriptionId = $"sub_{Guid.NewGuid():N}";
        var periodEnd = new DateTimeOffset(2027, 1, 6, 12, 0, 0, TimeSpan.Zero);
        await SendAsync("customer.subscription.created", _host.Stripe.PutSubscription(
            FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.ProPrice, "active", periodEnd, created: T0)), T0);
        await SendAsync("customer.subscription.updated", _host.Stripe.PutSubscription(
            FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.ProPrice, "active", periodEnd, cancelAtPeriodEnd: true, created: T0)), T0.AddDays(1));

        var cut = Render<BillingPage>();

        cut.WaitForAssertion(() => Assert.Equal("Pro", cut.Find("#billing-plan").TextContent.Trim()), Loading);
        Assert.Equal("6 January 2027", cut.Find("#billing-period-end").TextContent.Trim());
        Assert.Contains("Paid period ends", cut.Markup);
    }

    [Fact]
    public async Task BillingPage_TwoCheckoutsBothPaid_WarnsThatBothAreChargedAndFollowsTheNewest()
    {
        _host.Clock.Now = T0;
        var (user, customer) = await _host.CreateCustomerAsync("chargedtwice@example.com");
        SignIn(user);
        var pro = $"sub_{Guid.NewGuid():N}";
        var team = $"sub_{Guid.NewGuid():N}";
        await SendAsync("customer.subscription.created", _host.Stripe.PutSubscription(
            FakeStripeServer.Subscription(pro, customer, BillingWebHost.ProPrice, "active", T0.AddMonths(1), created: T0)), T0);
        await SendAsync("customer.subscription.created", _host.Stripe.PutSubscription(
            FakeStripeServer.Subscription(team, customer, BillingWebHost.TeamPrice, "active", T0.AddMonths(1), created: T0.AddMinutes(1))), T0.AddMinutes(1));

        var cut = Render<BillingPage>();

        cut.WaitForAssertion(() => Assert.Equal("Team", cut.Find("#billing-plan").TextContent.Trim()), Loading);
        var warning = cut.Find("#billing-paid-twice").TextContent;
        Assert.Contains("2 subscriptions that are each charged", warning);
        Assert.Contains("Team and Pro", warning);
    }

    private async Task SendAsync(string type, System.Text.Json.Nodes.JsonObject dataObject, DateTimeOffset created) =>
        Assert.Equal(System.Net.HttpStatusCode.OK, await _host.SendAsync(FakeStripeServer.Event($"evt_{Guid.NewGuid():N}", type, dataObject, created)));
}
