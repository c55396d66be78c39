using System.Net;
using AiStudio.Core.Billing;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Billing;

/// <summary>Stripe's webhook over real HTTP: signed as Stripe signs, verified by Stripe.net, applied once, in the right order.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class StripeWebhookTests(BillingWebHost host) : IClassFixture<BillingWebHost>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Webhook_BadMissingTamperedOrStaleSignature_Returns400AndChangesNothing()
    {
        host.Clock.Now = T0;
        var (user, customer) = await host.CreateCustomerAsync("badsig@example.com");
        var eventId = NewId("evt");
        var payload = FakeStripeServer.Event(eventId, "customer.subscription.created",
            FakeStripeServer.Subscription(NewId("sub"), customer, BillingWebHost.ProPrice, "active", T0.AddDays(30)), T0);

        Assert.Equal(HttpStatusCode.BadRequest, await host.SendAsync(payload, FakeStripeServer.SignatureHeader(payload, "whsec_not_the_right_secret")));
        Assert.Equal(HttpStatusCode.BadRequest, await host.SendAsync(payload, ""));
        Assert.Equal(HttpStatusCode.BadRequest, await host.SendAsync(payload.Replace("\"active\"", "\"trialing\""), FakeStripeServer.SignatureHeader(payload)));
        Assert.Equal(HttpStatusCode.BadRequest, await host.SendAsync(payload, FakeStripeServer.SignatureHeader(payload, timestamp: DateTimeOffset.UtcNow.AddMinutes(-10))));
        Assert.Equal(HttpStatusCode.BadRequest, await host.SendAsync("not json at all", FakeStripeServer.SignatureHeader("not json at all")));

        var account = await host.GetAccountAsync(user.UserId);
        Assert.Equal(SubscriptionStatus.None, account!.Status);
        Assert.Null(account.StripeSubscriptionId);
        await using var db = await host.CreateDbContextAsync();
        Assert.False(await db.ProcessedStripeEvents.AnyAsync(e => e.EventId == eventId));
        Assert.False(await db.AuditEvents.AnyAsync(a => a.Detail != null && a.Detail.Contains(eventId)));
        Assert.Contains(host.Logs.Entries, e => e.Message.StartsWith("Refused a Stripe webhook", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Entries, e => e.Message.Contains(FakeStripeServer.WebhookSecret) || e.Message.Contains(FakeStripeServer.SecretKey));
    }

    [Fact]
    public async Task Webhook_ProcessedMoreThanThirtyDaysAfterAnEarlierOne_TheEarlierIdIsForgottenAndRecentOnesKept()
    {
        host.Clock.Now = T0;
        var (_, customer) = await host.CreateCustomerAsync("retention@example.com");
        var oldId = NewId("evt");
        var oldPayload = FakeStripeServer.Event(oldId, "customer.subscription.created",
            host.Stripe.PutSubscription(FakeStripeServer.Subscription(NewId("sub"), customer, BillingWebHost.ProPrice, "active", T0.AddDays(30))), T0);
        Assert.Equal(HttpStatusCode.OK, await host.SendAsync(oldPayload));

        host.Clock.Now = T0.AddDays(20);
        var recentId = NewId("evt");
        var subscription = NewId("sub");
        Assert.Equal(HttpStatusCode.OK, await host.SendAsync(FakeStripeServer.Event(recentId, "customer.subscription.updated",
            host.Stripe.PutSubscription(FakeStripeServer.Subscription(subscription, customer, BillingWebHost.ProPrice, "active", T0.AddDays(50))), T0.AddDays(20))));
        await using (var db = await host.CreateDbContextAsync())
        {
            Assert.True(await db.ProcessedStripeEvents.AnyAsync(e => e.EventId == oldId));
        }

        host.Clock.Now = T0.AddDays(31);
        var newId = NewId("evt");
        Assert.Equal(HttpStatusCode.OK, await host.SendAsync(FakeStripeServer.Event(newId, "customer.subscription.updated",
            FakeStripeServer.Subscription(subscription, customer, BillingWebHost.ProPrice, "active", T0.AddDays(61)), T0.AddDays(31))));

        await using var after = await host.CreateDbContextAsync();
        Assert.False(await after.ProcessedStripeEvents.AnyAsync(e => e.EventId == oldId));
        Assert.True(await after.ProcessedStripeEvents.AnyAsync(e => e.EventId == recentId));
        Assert.True(await after.ProcessedStripeEvents.AnyAsync(e => e.EventId == newId));
        host.Clock.Now = T0;
    }

    [Fact]
    public async Task Webhook_SameEventFiveTimesAtOnce_ProcessedOnce()
    {
        host.Clock.Now = T0;
        var (user, customer) = await host.CreateCustomerAsync("replay@example.com");
        var eventId = NewId("evt");
        var payload = FakeStripeServer.Event(eventId, "customer.subscription.created",
            host.Stripe.PutSubscription(FakeStripeServer.Subscription(NewId("sub"), customer, BillingWebHost.ProPrice, "active", T0.AddDays(30))), T0);

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.SendAsync(payload)));

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        await using var db = await host.CreateDbContextAsync();
        Assert.Equal(1, await db.ProcessedStripeEvents.CountAsync(e => e.EventId == eventId));
        var audits = await db.AuditEvents.Where(a => a.Detail != null && a.Detail.Contains(eventId)).ToListAsync();
        var audit = Assert.Single(audits);
        Assert.Equal("billing.customer.subscription.created", audit.Action);
        Assert.Equal(user.UserId, audit.EntityId);
        var account = await host.GetAccountAsync(user.UserId);
        Assert.Equal(SubscriptionStatus.Active, account!.Status);
        Assert.Equal("Pro", account.PlanName);
        Assert.Equal(2, account.Version); // customer attached, then one subscription change: not five
    }

    [Fact]
    public async Task Webhook_DeletedArrivesBeforeAnOlderUpdate_EndsCanceledOnTheDefaultPlan()
    {
        host.Clock.Now = T0;
        var (user, customer) = await host.CreateCustomerAsync("outoforder@example.com");
        var subscriptionId = NewId("sub");
        await SendOkAsync("customer.subscription.created", host.Stripe.PutSubscription(FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.ProPrice, "active", T0.AddDays(30))), T0);

        var deleted = host.Stripe.PutSubscription(FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.ProPrice, "canceled", T0.AddDays(30)));
        var olderUpdate = FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.ProPrice, "active", T0.AddDays(30), cancelAtPeriodEnd: true);
        await SendOkAsync("customer.subscription.deleted", deleted, T0.AddMinutes(2));
        var lateId = await SendOkAsync("customer.subscription.updated", olderUpdate, T0.AddMinutes(1));

        var account = await host.GetAccountAsync(user.UserId);
        Assert.Equal(SubscriptionStatus.Canceled, account!.Status);
        Assert.False(account.CancelAtPeriodEnd);
        Assert.Equal(T0.AddMinutes(2), account.LastEventCreatedAt);
        Assert.Equal("Free", (await host.Get<IEntitlementService>().GetStandingAsync(user.UserId)).Plan.Name);
        await using var db = await host.CreateDbContextAsync();
        var ignored = await db.AuditEvents.SingleAsync(a => a.Detail != null && a.Detail.Contains(lateId));
        Assert.Contains("ignored", ignored.Detail);
        Assert.True(await db.ProcessedStripeEvents.AnyAsync(e => e.EventId == lateId));
    }

    [Fact]
    public async Task Webhook_UpdatesOutOfOrder_TheNewestStateWins()
    {
        host.Clock.Now = T0;
        var (user, customer) = await host.CreateCustomerAsync("upgrade@example.com");
        var subscriptionId = NewId("sub");
        await SendOkAsync("customer.subscription.created", host.Stripe.PutSubscription(FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.ProPrice, "active", T0.AddDays(30))), T0);

        // The upgrade to Team happened after a cancellation that was then undone, but Stripe delivers the cancellation last.
        await SendOkAsync("customer.subscription.updated", FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.TeamPrice, "active", T0.AddDays(30)), T0.AddMinutes(5));
        await SendOkAsync("customer.subscription.updated", FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.ProPrice, "active", T0.AddDays(30), cancelAtPeriodEnd: true), T0.AddMinutes(3));

        var account = await host.GetAccountAsync(user.UserId);
        Assert.Equal("Team", account!.PlanName);
        Assert.False(account.CancelAtPeriodEnd);
        Assert.Equal(T0.AddDays(30), account.CurrentPeriodEnd);
        Assert.Equal("Team", (await host.Get<IEntitlementService>().GetStandingAsync(user.UserId)).Plan.Name);
    }

    [Fact]
    public async Task Webhook_InvoicePaymentFailed_PastDueKeepsThePlanForTheGracePeriodThenFree()
    {
        host.Clock.Now = T0;
        var (user, customer) = await host.CreateCustomerAsync("pastdue@example.com");
        var subscriptionId = NewId("sub");
        var entitlements = host.Get<IEntitlementService>();
        await SendOkAsync("customer.subscription.created", host.Stripe.PutSubscription(FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.ProPrice, "active", T0.AddDays(30))), T0);

        var failedAt = T0.AddHours(1);
        await SendOkAsync("invoice.payment_failed", FakeStripeServer.Invoice(NewId("in"), customer, subscriptionId, "open"), failedAt);

        var account = await host.GetAccountAsync(user.UserId);
        Assert.Equal(SubscriptionStatus.PastDue, account!.Status);
        Assert.Equal(failedAt, account.PastDueSince);

        host.Clock.Now = failedAt.AddDays(7).AddMinutes(-1);
        var inGrace = await entitlements.GetStandingAsync(user.UserId);
        Assert.Equal("Pro", inGrace.Plan.Name);
        Assert.Equal(failedAt.AddDays(7), inGrace.KeepsPlanUntil);

        host.Clock.Now = failedAt.AddDays(7);
        Assert.Equal("Free", (await entitlements.GetStandingAsync(user.UserId)).Plan.Name);

        // Stripe's retry finally succeeds: the plan is back and the past-due mark is gone.
        await SendOkAsync("invoice.paid", FakeStripeServer.Invoice(NewId("in"), customer, subscriptionId, "paid"), failedAt.AddDays(7).AddHours(1));
        account = await host.GetAccountAsync(user.UserId);
        Assert.Equal(SubscriptionStatus.Active, account!.Status);
        Assert.Null(account.PastDueSince);
        Assert.Equal("Pro", (await entitlements.GetStandingAsync(user.UserId)).Plan.Name);
    }

    [Fact]
    public async Task Webhook_CheckoutSessionCompleted_LinksTheSubscriptionToTheUserAndAudits()
    {
        host.Clock.Now = T0;
        var (user, customer) = await host.CreateCustomerAsync("checkout@example.com");
        var subscriptionId = NewId("sub");
        host.Stripe.PutSubscription(FakeStripeServer.Subscription(subscriptionId, customer, BillingWebHost.ProPrice, "active", T0.AddDays(30),
            metadata: new Dictionary<string, string> { ["user_id"] = user.UserId, ["plan"] = "Pro" }));

        var eventId = await SendOkAsync("checkout.session.completed",
            FakeStripeServer.CompletedCheckoutSession(NewId("cs_test"), customer, subscriptionId, user.UserId, "Pro"), T0);

        var account = await host.GetAccountAsync(user.UserId);
        Assert.Equal(subscriptionId, account!.StripeSubscriptionId);
        Assert.Equal(SubscriptionStatus.Active, account.Status);
        Assert.Equal("Pro", account.PlanName);
        await using var db = await host.CreateDbContextAsync();
        var audit = await db.AuditEvents.SingleAsync(a => a.Detail != null && a.Detail.Contains(eventId));
        Assert.Equal("billing.checkout.session.completed", audit.Action);
        Assert.Equal("stripe", audit.ActorId);
        Assert.Equal("no subscription", audit.Before);
        Assert.StartsWith("Pro, Active", audit.After);
    }

    [Fact]
    public async Task Webhook_EventTypeBillingDoesNotHandle_Returns200AndRecordsNothing()
    {
        var eventId = NewId("evt");
        var payload = FakeStripeServer.Event(eventId, "customer.created", new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = NewId("cus"),
            ["object"] = "customer",
        }, T0);

        Assert.Equal(HttpStatusCode.OK, await host.SendAsync(payload));

        await using var db = await host.CreateDbContextAsync();
        Assert.False(await db.ProcessedStripeEvents.AnyAsync(e => e.EventId == eventId));
    }

    [Fact]
    public async Task Webhook_LateActiveUpdateOfADeletedSubscriptionAfterANewCheckout_DoesNotTakeOverAndTheNewOnesFailureAndDeletionApply()
    {
        host.Clock.Now = T0;
        var (user, customer) = await host.CreateCustomerAsync("takeover@example.com");
        var old = NewId("sub");
        var current = NewId("sub");
        await SendOkAsync("customer.subscription.created", host.Stripe.PutSubscription(Sub(old, customer, BillingWebHost.ProPrice, "active", created: T0)), T0);
        await SendOkAsync("customer.subscription.deleted", host.Stripe.PutSubscription(Sub(old, customer, BillingWebHost.ProPrice, "canceled", created: T0)), T0.AddHours(1));
        await SendOkAsync("customer.subscription.created", host.Stripe.PutSubscription(Sub(current, customer, BillingWebHost.ProPrice, "active", created: T0.AddHours(2))), T0.AddHours(2));

        // Delayed by Stripe: an update of the old subscription from before it was deleted.
        var lateId = await SendOkAsync("customer.subscription.updated", Sub(old, customer, BillingWebHost.ProPrice, "active", created: T0), T0.AddMinutes(30));
        Assert.Equal(current, (await host.GetAccountAsync(user.UserId))!.StripeSubscriptionId);

        await SendOkAsync("invoice.payment_failed", FakeStripeServer.Invoice(NewId("in"), customer, current, "open"), T0.AddHours(3));
        var failed = await host.GetAccountAsync(user.UserId);
        Assert.Equal(SubscriptionStatus.PastDue, failed!.Status);
        await SendOkAsync("customer.subscription.deleted", host.Stripe.PutSubscription(Sub(current, customer, BillingWebHost.ProPrice, "canceled", created: T0.AddHours(2))), T0.AddHours(4));

        var account = await host.GetAccountAsync(user.UserId);
        Assert.Equal(current, account!.StripeSubscriptionId);
        Assert.Equal(SubscriptionStatus.Canceled, account.Status);
        Assert.Equal("Free", (await host.Get<IEntitlementService>().GetStandingAsync(user.UserId)).Plan.Name);
        await using var db = await host.CreateDbContextAsync();
        Assert.Contains("ignored", (await db.AuditEvents.SingleAsync(a => a.Detail != null && a.Detail.Contains(lateId))).Detail);
    }

    [Fact]
    public async Task Webhook_HoursOldCheckoutOfAnEndedSubscriptionNeverSeen_ReadFromStripeAndTheTeamCustomerStaysOnTeam()
    {
        host.Clock.Now = T0;
        var (user, customer) = await host.CreateCustomerAsync("oldcheckout@example.com");
        var team = NewId("sub");
        var oldPro = NewId("sub");
        host.Stripe.PutSubscription(Sub(oldPro, customer, BillingWebHost.ProPrice, "canceled", created: T0.AddHours(-3)));
        await SendOkAsync("customer.subscription.created", host.Stripe.PutSubscription(Sub(team, customer, BillingWebHost.TeamPrice, "active", created: T0)), T0);

        // The checkout of the old Pro subscription, two hours old, is the first the app hears of it.
        await SendOkAsync("checkout.session.completed", FakeStripeServer.CompletedCheckoutSession(NewId("cs_test"), customer, oldPro, user.UserId, "Pro"), T0.AddHours(-2));

        var account = await host.GetAccountAsync(user.UserId);
        Assert.Equal(team, account!.StripeSubscriptionId);
        Assert.Equal("Team", account.PlanName);
        Assert.Equal(SubscriptionStatus.Active, account.Status);
        Assert.Equal("Team", (await host.Get<IEntitlementService>().GetStandingAsync(user.UserId)).Plan.Name);
        Assert.Contains(host.Stripe.Requests, r => r.Method == "GET" && r.Path == $"/v1/subscriptions/{oldPro}");
    }

    [Fact]
    public async Task Webhook_TwoCheckoutsBothPaid_BothSubscriptionsAreTrackedAndEachOnesEventsApply()
    {
        host.Clock.Now = T0;
        var (user, customer) = await host.CreateCustomerAsync("paidtwice@example.com");
        var pro = NewId("sub");
        var team = NewId("sub");
        var proState = host.Stripe.PutSubscription(Sub(pro, customer, BillingWebHost.ProPrice, "active", created: T0));
        var teamState = host.Stripe.PutSubscription(Sub(team, customer, BillingWebHost.TeamPrice, "active", created: T0.AddMinutes(1)));
        await SendOkAsync("customer.subscription.created", proState, T0);
        await SendOkAsync("customer.subscription.created", teamState, T0.AddMinutes(1));
        await SendOkAsync("checkout.session.completed", FakeStripeServer.CompletedCheckoutSession(NewId("cs_test"), customer, team, user.UserId, "Team"), T0.AddMinutes(1));
        await SendOkAsync("checkout.session.completed", FakeStripeServer.CompletedCheckoutSession(NewId("cs_test"), customer, pro, user.UserId, "Pro"), T0.AddMinutes(2));

        var both = await host.GetAccountAsync(user.UserId);
        Assert.Equal(team, both!.StripeSubscriptionId);
        Assert.Contains(host.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains($"{user.UserId} has 2 live Stripe subscriptions"));

        // The customer cancels the Team one in the portal; the Pro one bills on, and its failed payment counts.
        await SendOkAsync("customer.subscription.deleted", host.Stripe.PutSubscription(Sub(team, customer, BillingWebHost.TeamPrice, "canceled", created: T0.AddMinutes(1))), T0.AddMinutes(10));
        var proLeft = await host.GetAccountAsync(user.UserId);
        Assert.Equal(pro, proLeft!.StripeSubscriptionId);
        Assert.Equal(SubscriptionStatus.Active, proLeft.Status);
        Assert.Equal("Pro", (await host.Get<IEntitlementService>().GetStandingAsync(user.UserId)).Plan.Name);

        await SendOkAsync("invoice.payment_failed", FakeStripeServer.Invoice(NewId("in"), customer, pro, "open"), T0.AddMinutes(20));
        Assert.Equal(SubscriptionStatus.PastDue, (await host.GetAccountAsync(user.UserId))!.Status);
    }

    [Fact]
    public async Task Webhook_EventsOfAnotherApiVersion_AcceptedTheSubscriptionReadFromTheApiAndAnErrorLogged()
    {
        host.Clock.Now = T0;
        var (user, customer) = await host.CreateCustomerAsync("oldversion@example.com");
        var subscriptionId = NewId("sub");
        const string OldVersion = "2024-06-20";

        // The shape of that version: the period on the subscription itself, no items' periods.
        var oldShape = new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = subscriptionId,
            ["object"] = "subscription",
            ["customer"] = customer,
            ["status"] = "active",
            ["current_period_end"] = T0.AddDays(30).ToUnixTimeSeconds(),
            ["plan"] = new System.Text.Json.Nodes.JsonObject { ["id"] = BillingWebHost.ProPrice, ["object"] = "plan" },
        };
        host.Stripe.PutSubscription(Sub(subscriptionId, customer, BillingWebHost.ProPrice, "active", created: T0, periodEnd: T0.AddDays(30)));
        var createdId = NewId("evt");
        Assert.Equal(HttpStatusCode.OK, await host.SendAsync(FakeStripeServer.Event(createdId, "customer.subscription.created", oldShape, T0, apiVersion: OldVersion)));

        var account = await host.GetAccountAsync(user.UserId);
        Assert.Equal("Pro", account!.PlanName);
        Assert.Equal(SubscriptionStatus.Active, account.Status);
        Assert.Equal(T0.AddDays(30), account.CurrentPeriodEnd);
        Assert.Contains(host.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error
            && e.Message.Contains(createdId) && e.Message.Contains($"API version {OldVersion}") && e.Message.Contains(Stripe.StripeConfiguration.ApiVersion));

        // A cancellation sent in the old version lands too.
        host.Stripe.PutSubscription(Sub(subscriptionId, customer, BillingWebHost.ProPrice, "canceled", created: T0, periodEnd: T0.AddDays(30)));
        oldShape["status"] = "canceled";
        Assert.Equal(HttpStatusCode.OK, await host.SendAsync(FakeStripeServer.Event(NewId("evt"), "customer.subscription.deleted", oldShape, T0.AddHours(1), apiVersion: OldVersion)));
        Assert.Equal(SubscriptionStatus.Canceled, (await host.GetAccountAsync(user.UserId))!.Status);
        Assert.Equal("Free", (await host.Get<IEntitlementService>().GetStandingAsync(user.UserId)).Plan.Name);
    }

    [Fact]
    public async Task Webhook_SubscriptionMustBeReadButStripeIsDown_Returns503AndRecordsNothing()
    {
        host.Clock.Now = T0;
        var (user, customer) = await host.CreateCustomerAsync("stripedown@example.com");
        var subscriptionId = NewId("sub");
        var eventId = NewId("evt");
        host.Stripe.FailSubscriptionReads = true;
        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await host.SendAsync(FakeStripeServer.Event(eventId, "customer.subscription.created",
                Sub(subscriptionId, customer, BillingWebHost.ProPrice, "active", created: T0), T0)));
        }
        finally
        {
            host.Stripe.FailSubscriptionReads = false;
        }

        Assert.Equal(SubscriptionStatus.None, (await host.GetAccountAsync(user.UserId))!.Status);
        await using var db = await host.CreateDbContextAsync();
        Assert.False(await db.ProcessedStripeEvents.AnyAsync(e => e.EventId == eventId));
    }

    private static System.Text.Json.Nodes.JsonObject Sub(string id, string customer, string price, string status, DateTimeOffset created, DateTimeOffset? periodEnd = null) =>
        FakeStripeServer.Subscription(id, customer, price, status, periodEnd ?? created.AddMonths(1), created: created);

    private async Task<string> SendOkAsync(string type, System.Text.Json.Nodes.JsonObject dataObject, DateTimeOffset created)
    {
        var eventId = NewId("evt");
        Assert.Equal(HttpStatusCode.OK, await host.SendAsync(FakeStripeServer.Event(eventId, type, dataObject, created)));
        return eventId;
    }

    private static string NewId(string prefix) => $"{prefix}_{Guid.NewGuid():N}";
}
