using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiStudio.Tests.Support;

/// <summary>
/// A real HTTP server on loopback that stands in for Stripe's API, reached by Stripe.net through
/// <c>StripeClientOptions.ApiBase</c>: customers, Checkout Sessions (subscription mode), customer-portal sessions and
/// subscriptions (read and listed), listing and expiring Checkout Sessions, with Stripe's JSON shapes and error bodies. It records every API request (form-encoded body decoded).
/// Its Checkout page (<see cref="CheckoutUrl"/>) plays the customer paying: visiting it makes the subscription, sends the
/// signed <c>customer.subscription.created</c> and <c>checkout.session.completed</c> webhooks to <see cref="WebhookUrl"/>
/// and redirects the browser to the session's success URL, as Stripe does.
/// </summary>
/// <example>
/// <code>
/// await using var stripe = await FakeStripeServer.StartAsync();
/// // configure Billing:Stripe:SecretKey = FakeStripeServer.SecretKey, WebhookSecret = FakeStripeServer.WebhookSecret, ApiBase = stripe.BaseUrl
/// stripe.WebhookUrl = appAddress + "billing/webhook";
/// var customers = stripe.RequestsTo("/v1/customers");
/// </code>
/// </example>
public sealed class FakeStripeServer : IAsyncDisposable
{
    public const string SecretKey = "sk_test_fake_4eC39HqLyjWDarjtT1zdp7dc";
    public const string WebhookSecret = "whsec_fake_signing_secret_for_tests";

    private readonly WebApplication _app;
    private readonly HttpClient _webhookClient = new();
    private readonly ConcurrentQueue<RecordedStripeRequest> _requests = new();
    private readonly ConcurrentQueue<WebhookDelivery> _deliveries = new();
    private readonly ConcurrentDictionary<string, JsonObject> _sessions = new();
    private readonly ConcurrentDictionary<string, (string Price, Dictionary<string, string> SubscriptionMetadata)> _sessionOrders = new();
    private readonly ConcurrentDictionary<string, JsonObject> _subscriptions = new();
    private readonly ConcurrentDictionary<string, JsonObject> _byIdempotencyKey = new();
    private readonly ConcurrentBag<Task> _background = [];
    private TaskCompletionSource _webhookGate = Open();
    private int _sequence;

    private FakeStripeServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The server's root, e.g. http://127.0.0.1:41234 (Stripe's API lives under /v1).</summary>
    public string BaseUrl { get; }

    /// <summary>Where the Checkout page sends its webhooks, e.g. http://127.0.0.1:5123/billing/webhook.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Every API request received, in arrival order.</summary>
    public IReadOnlyList<RecordedStripeRequest> Requests => [.. _requests];

    /// <summary>Every webhook the Checkout page sent, with the app's answer.</summary>
    public IReadOnlyList<WebhookDelivery> Deliveries => [.. _deliveries];

    /// <summary>How many times a browser opened a Checkout page.</summary>
    public int CheckoutVisits => _checkoutVisits;

    private int _checkoutVisits;

    public string CheckoutUrl(string sessionId) => $"{BaseUrl}/checkout/{sessionId}";

    public IReadOnlyList<RecordedStripeRequest> RequestsTo(string path, string method = "POST") =>
        [.. _requests.Where(r => r.Path == path && r.Method == method)];

    /// <summary>The Checkout page redirects at once but keeps its webhooks until <see cref="ReleaseCheckoutWebhooks"/>.</summary>
    public void HoldCheckoutWebhooks() => _webhookGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseCheckoutWebhooks() => _webhookGate.TrySetResult();

    public static async Task<FakeStripeServer> StartAsync(CancellationToken cancellationToken = default)
    {
        FakeStripeServer? server = null;
        var (app, baseUrl) = await LoopbackServer.StartAsync(
            routes =>
            {
                routes.MapPost("/v1/customers", (HttpContext context) => server!.ApiAsync(context, server.CreateCustomer));
                routes.MapPost("/v1/checkout/sessions", (HttpContext context) => server!.ApiAsync(context, server.CreateCheckoutSession));
                routes.MapGet("/v1/checkout/sessions", (HttpContext context) => server!.ApiAsync(context, _ => server.ListCheckoutSessions(context.Request.Query)));
                routes.MapPost("/v1/checkout/sessions/{id}/expire", (HttpContext context, string id) => server!.ApiAsync(context, _ => server.ExpireCheckoutSession(id)));
                routes.MapGet("/v1/subscriptions", (HttpContext context) => server!.ApiAsync(context, _ => server.ListSubscriptions(context.Request.Query)));
                routes.MapPost("/v1/billing_portal/sessions", (HttpContext context) => server!.ApiAsync(context, server.CreatePortalSession));
                routes.MapGet("/v1/subscriptions/{id}", (HttpContext context, string id) => server!.ApiAsync(context, _ => server.GetSubscription(id)));
                routes.MapGet("/checkout/{sessionId}", (string sessionId) => server!.VisitCheckout(sessionId));
                routes.MapGet("/portal/{sessionId}", (string sessionId) => Results.Content(
                    $"<!DOCTYPE html><html><head><title>Fake Stripe customer portal</title></head><body><h1>Customer portal</h1><p>{WebUtility.HtmlEncode(sessionId)}</p></body></html>",
                    "text/html"));
            },
            cancellationToken);
        server = new FakeStripeServer(app, baseUrl);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        _webhookGate.TrySetResult();
        await Task.WhenAll(_background).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _webhookClient.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // ---- Events and signatures, as Stripe sends them ----

    /// <summary>Stripe's Stripe-Signature header: t=unix seconds, v1=hex HMAC-SHA256 of "{t}.{payload}" under the endpoint's secret.</summary>
    public static string SignatureHeader(string payload, string secret = WebhookSecret, DateTimeOffset? timestamp = null)
    {
        var t = (timestamp ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{payload}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>An event envelope, by default in the API version Stripe.net expects (an endpoint set to another sends that one).</summary>
    public static string Event(string id, string type, JsonObject dataObject, DateTimeOffset created, JsonObject? previousAttributes = null, string? apiVersion = null)
    {
        var data = new JsonObject { ["object"] = dataObject.DeepClone() };
        if (previousAttributes is not null)
        {
            data["previous_attributes"] = previousAttributes;
        }

        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "event",
            ["api_version"] = apiVersion ?? Stripe.StripeConfiguration.ApiVersion,
            ["created"] = created.ToUnixTimeSeconds(),
            ["data"] = data,
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
        }.ToJsonString();
    }

    /// <summary>A subscription in the current API's shape: the billing period lives on its items.</summary>
    public static JsonObject Subscription(
        string id, string customerId, string priceId, string status, DateTimeOffset periodEnd,
        bool cancelAtPeriodEnd = false, IDictionary<string, string>? metadata = null, DateTimeOffset? created = null)
    {
        var start = (created ?? periodEnd.AddMonths(-1)).ToUnixTimeSeconds();
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "subscription",
            ["billing_cycle_anchor"] = start,
            ["cancel_at"] = null,
            ["cancel_at_period_end"] = cancelAtPeriodEnd,
            ["canceled_at"] = status == "canceled" ? DateTimeOffset.UtcNow.ToUnixTimeSeconds() : null,
            ["collection_method"] = "charge_automatically",
            ["created"] = start,
            ["currency"] = "usd",
            ["customer"] = customerId,
            ["ended_at"] = status == "canceled" ? DateTimeOffset.UtcNow.ToUnixTimeSeconds() : null,
            ["items"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject
                {
                    ["id"] = $"si_{id[4..]}",
                    ["object"] = "subscription_item",
                    ["created"] = start,
                    ["current_period_start"] = start,
                    ["current_period_end"] = periodEnd.ToUnixTimeSeconds(),
                    ["metadata"] = new JsonObject(),
                    ["price"] = Price(priceId),
                    ["quantity"] = 1,
                    ["subscription"] = id,
                }),
                ["has_more"] = false,
                ["total_count"] = 1,
                ["url"] = $"/v1/subscription_items?subscription={id}",
            },
            ["latest_invoice"] = $"in_{id[4..]}",
            ["livemode"] = false,
            ["metadata"] = Metadata(metadata),
            ["start_date"] = start,
            ["status"] = status,
        };
    }

    public static JsonObject CompletedCheckoutSession(string id, string customerId, string subscriptionId, string userId, string plan) => new()
    {
        ["id"] = id,
        ["object"] = "checkout.session",
        ["client_reference_id"] = userId,
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["currency"] = "usd",
        ["customer"] = customerId,
        ["livemode"] = false,
        ["metadata"] = new JsonObject { ["user_id"] = userId, ["plan"] = plan },
        ["mode"] = "subscription",
        ["payment_status"] = "paid",
        ["status"] = "complete",
        ["subscription"] = subscriptionId,
        ["url"] = null,
    };

    public static JsonObject Invoice(string id, string customerId, string subscriptionId, string status) => new()
    {
        ["id"] = id,
        ["object"] = "invoice",
        ["amount_due"] = 2900,
        ["amount_paid"] = status == "paid" ? 2900 : 0,
        ["attempt_count"] = 1,
        ["billing_reason"] = "subscription_cycle",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["currency"] = "usd",
        ["customer"] = customerId,
        ["livemode"] = false,
        ["parent"] = new JsonObject
        {
            ["type"] = "subscription_details",
            ["quote_details"] = null,
            ["subscription_details"] = new JsonObject { ["metadata"] = new JsonObject(), ["subscription"] = subscriptionId },
        },
        ["status"] = status,
    };

    /// <summary>Posts a signed event to <see cref="WebhookUrl"/> and returns the app's status code.</summary>
    public async Task<HttpStatusCode> SendWebhookAsync(string payload, string? signatureHeader = null)
    {
        var url = WebhookUrl ?? throw new InvalidOperationException("Set WebhookUrl to the app's webhook address first.");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signatureHeader ?? SignatureHeader(payload));
        request.Headers.UserAgent.ParseAdd("Stripe/1.0 (+https://stripe.com/docs/webhooks)");
        using var response = await _webhookClient.SendAsync(request);
        _deliveries.Enqueue(new WebhookDelivery(payload, response.StatusCode));
        return response.StatusCode;
    }

    // ---- The API ----

    private async Task ApiAsync(HttpContext context, Func<RecordedStripeRequest, IResult> handle)
    {
        var form = context.Request.HasFormContentType
            ? (await context.Request.ReadFormAsync(context.RequestAborted)).ToDictionary(f => f.Key, f => f.Value.ToString())
            : [];
        var request = new RecordedStripeRequest(
            context.Request.Method,
            context.Request.Path,
            form,
            context.Request.Headers.Authorization.ToString(),
            context.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null,
            context.Request.Headers["Stripe-Version"].ToString());
        _requests.Enqueue(request);

        if (request.Authorization != $"Bearer {SecretKey}")
        {
            await Error(StatusCodes.Status401Unauthorized, "invalid_request_error", "Invalid API Key provided.").ExecuteAsync(context);
            return;
        }

        await handle(request).ExecuteAsync(context);
    }

    private IResult CreateCustomer(RecordedStripeRequest request)
    {
        // Stripe answers a repeated idempotency key with the first answer.
        if (request.IdempotencyKey is { } key && _byIdempotencyKey.TryGetValue("customers:" + key, out var earlier))
        {
            return Json(earlier);
        }

        var customer = new JsonObject
        {
            ["id"] = NextId("cus"),
            ["object"] = "customer",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["email"] = request.Form.GetValueOrDefault("email"),
            ["livemode"] = false,
            ["metadata"] = Metadata(request.Prefixed("metadata")),
        };
        if (request.IdempotencyKey is { } newKey)
        {
            customer = _byIdempotencyKey.GetOrAdd("customers:" + newKey, customer);
        }

        return Json(customer);
    }

    private IResult CreateCheckoutSession(RecordedStripeRequest request)
    {
        var missing = new[] { "mode", "success_url", "line_items[0][price]" }.FirstOrDefault(k => !request.Form.ContainsKey(k));
        if (missing is not null)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", $"Missing required param: {missing}.", missing);
        }

        var id = NextId("cs_test");
        var session = new JsonObject
        {
            ["id"] = id,
            ["object"] = "checkout.session",
            ["cancel_url"] = request.Form.GetValueOrDefault("cancel_url"),
            ["client_reference_id"] = request.Form.GetValueOrDefault("client_reference_id"),
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = "usd",
            ["customer"] = request.Form.GetValueOrDefault("customer"),
            ["expires_at"] = DateTimeOffset.UtcNow.AddHours(24).ToUnixTimeSeconds(),
            ["livemode"] = false,
            ["metadata"] = Metadata(request.Prefixed("metadata")),
            ["mode"] = request.Form["mode"],
            ["payment_status"] = "unpaid",
            ["status"] = "open",
            ["subscription"] = null,
            ["success_url"] = request.Form["success_url"],
            ["url"] = CheckoutUrl(id),
        };
        _sessions[id] = session;
        _sessionOrders[id] = (request.Form["line_items[0][price]"], request.Prefixed("subscription_data[metadata]"));
        return Json(session);
    }

    private IResult CreatePortalSession(RecordedStripeRequest request)
    {
        if (!request.Form.TryGetValue("customer", out var customer))
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", "Missing required param: customer.", "customer");
        }

        var id = NextId("bps");
        return Json(new JsonObject
        {
            ["id"] = id,
            ["object"] = "billing_portal.session",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["customer"] = customer,
            ["livemode"] = false,
            ["return_url"] = request.Form.GetValueOrDefault("return_url"),
            ["url"] = $"{BaseUrl}/portal/{id}",
        });
    }

    /// <summary>Sets the subscription as Stripe holds it now (what GET /v1/subscriptions/{id} answers), as a test's history requires.</summary>
    public JsonObject PutSubscription(JsonObject subscription)
    {
        _subscriptions[(string)subscription["id"]!] = subscription.DeepClone().AsObject();
        return subscription;
    }

    /// <summary>Stripe's list envelope; the fake never pages (has_more is false).</summary>
    private static IResult List(string url, IEnumerable<JsonObject> items) => Json(new JsonObject
    {
        ["object"] = "list",
        ["data"] = new JsonArray([.. items.Select(i => (JsonNode)i.DeepClone())]),
        ["has_more"] = false,
        ["url"] = url,
    });

    // As Stripe: filtered by customer and status; without a status only the open ones are not filtered out.
    private IResult ListCheckoutSessions(IQueryCollection query) => List("/v1/checkout/sessions", _sessions.Values
        .Where(s => !query.ContainsKey("customer") || (string?)s["customer"] == query["customer"])
        .Where(s => !query.ContainsKey("status") || (string?)s["status"] == query["status"])
        .OrderByDescending(s => (long)s["created"]!));

    // As Stripe: without a status, every subscription but the canceled ones; "all" includes those too.
    private IResult ListSubscriptions(IQueryCollection query) => List("/v1/subscriptions", _subscriptions.Values
        .Where(s => !query.ContainsKey("customer") || (string?)s["customer"] == query["customer"])
        .Where(s => query["status"].ToString() switch
        {
            "all" => true,
            "" => (string?)s["status"] != "canceled",
            var status => (string?)s["status"] == status,
        }));

    private IResult ExpireCheckoutSession(string id)
    {
        if (!_sessions.TryGetValue(id, out var session))
        {
            return Error(StatusCodes.Status404NotFound, "invalid_request_error", $"No such checkout.session: '{id}'", "session", "resource_missing");
        }

        lock (session)
        {
            if ((string?)session["status"] != "open")
            {
                return Error(StatusCodes.Status400BadRequest, "invalid_request_error",
                    $"Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{session["status"]}\".");
            }

            session["status"] = "expired";
            session["url"] = null;
            return Json(session);
        }
    }

    /// <summary>While true, reading a subscription answers 500 as Stripe does in an outage.</summary>
    public bool FailSubscriptionReads { get; set; }

    private IResult GetSubscription(string id) =>
        FailSubscriptionReads ? Error(StatusCodes.Status500InternalServerError, "api_error", "An unknown error occurred.")
        : _subscriptions.TryGetValue(id, out var subscription)
            ? Json(subscription)
            : Error(StatusCodes.Status404NotFound, "invalid_request_error", $"No such subscription: '{id}'", "id", "resource_missing");

    /// <summary>The customer "pays": the subscription starts, the webhooks go out (unless held) and the browser goes back.</summary>
    private IResult VisitCheckout(string sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var session) || !_sessionOrders.TryGetValue(sessionId, out var order))
        {
            return Results.NotFound();
        }

        var subscriptionId = NextId("sub");
        lock (session)
        {
            // An expired (or already paid) session cannot be paid, as on Stripe's page.
            if ((string?)session["status"] != "open")
            {
                return Results.Content("<!DOCTYPE html><html><head><title>Fake Stripe Checkout</title></head><body><h1>This Checkout Session is no longer available</h1></body></html>",
                    "text/html", statusCode: StatusCodes.Status410Gone);
            }

            session["status"] = "complete";
            session["payment_status"] = "paid";
            session["subscription"] = subscriptionId;
        }

        Interlocked.Increment(ref _checkoutVisits);
        var customerId = (string)session["customer"]!;
        var metadata = order.SubscriptionMetadata;
        var subscription = Subscription(subscriptionId, customerId, order.Price, "active", DateTimeOffset.UtcNow.AddMonths(1), metadata: metadata);
        _subscriptions[subscriptionId] = subscription;

        var completed = CompletedCheckoutSession(sessionId, customerId, subscriptionId, (string)session["client_reference_id"]!, metadata.GetValueOrDefault("plan") ?? "");
        var now = DateTimeOffset.UtcNow;
        string[] events =
        [
            Event(NextId("evt"), "customer.subscription.created", subscription, now),
            Event(NextId("evt"), "checkout.session.completed", completed, now),
        ];

        var gate = _webhookGate.Task;
        _background.Add(Task.Run(async () =>
        {
            await gate;
            foreach (var payload in events)
            {
                await SendWebhookAsync(payload);
            }
        }));

        var successUrl = ((string)session["success_url"]!).Replace("{CHECKOUT_SESSION_ID}", sessionId, StringComparison.Ordinal);
        return Results.Redirect(successUrl);
    }

    private string NextId(string prefix) => $"{prefix}_fake{Interlocked.Increment(ref _sequence):D6}";

    private static JsonObject Price(string priceId) => new()
    {
        ["id"] = priceId,
        ["object"] = "price",
        ["active"] = true,
        ["currency"] = "usd",
        ["livemode"] = false,
        ["product"] = $"prod_{priceId}",
        ["recurring"] = new JsonObject { ["interval"] = "month", ["interval_count"] = 1, ["usage_type"] = "licensed" },
        ["type"] = "recurring",
        ["unit_amount"] = 2900,
    };

    private static JsonObject Metadata(IDictionary<string, string>? values)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in values ?? new Dictionary<string, string>())
        {
            metadata[key] = value;
        }

        return metadata;
    }

    private static IResult Json(JsonObject body) => Results.Content(body.ToJsonString(), "application/json");

    private static IResult Error(int status, string type, string message, string? param = null, string? code = null) => Results.Content(
        new JsonObject
        {
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message, ["param"] = param, ["code"] = code },
        }.ToJsonString(),
        "application/json",
        statusCode: status);

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}

/// <summary>One API request as it arrived at <see cref="FakeStripeServer"/>; <see cref="Form"/> holds the decoded form fields.</summary>
public sealed record RecordedStripeRequest(
    string Method, string Path, IReadOnlyDictionary<string, string> Form, string Authorization, string? IdempotencyKey, string StripeVersion)
{
    /// <summary>The fields under a prefix, e.g. "metadata" gives metadata[user_id] as user_id.</summary>
    public Dictionary<string, string> Prefixed(string prefix) => Form
        .Where(f => f.Key.StartsWith(prefix + "[", StringComparison.Ordinal) && f.Key.EndsWith(']') && f.Key.IndexOf('[', prefix.Length + 1) < 0)
        .ToDictionary(f => f.Key[(prefix.Length + 1)..^1], f => f.Value);
}

public sealed record WebhookDelivery(string Payload, HttpStatusCode Status);
