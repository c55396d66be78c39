using System.Net;
using AiStudio.Core.Billing;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.Persistence;
using AiStudio.Tests.ModelProviders;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiStudio.Tests.Billing;

/// <summary>
/// The real web app on Kestrel with billing switched on against a <see cref="FakeStripeServer"/>, a clock the tests
/// set, and every log line captured. Webhooks reach the app over real HTTP, signed as Stripe signs them.
/// </summary>
public sealed class BillingWebHost : IAsyncLifetime
{
    public const string ProPrice = "price_pro_test";
    public const string TeamPrice = "price_team_test";

    private AiStudioWebFactory? _factory;
    private WebApplicationFactory<Program>? _app;

    public FakeStripeServer Stripe { get; private set; } = null!;
    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
    internal CapturingLoggerProvider Logs { get; } = new();
    public Uri Address { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;

    public static Dictionary<string, string?> Settings(FakeStripeServer stripe) => new()
    {
        ["Billing:DefaultPlan"] = "Free",
        ["Billing:Plans:Pro:StripePriceId"] = ProPrice,
        ["Billing:Plans:Team:StripePriceId"] = TeamPrice,
        ["Billing:Stripe:SecretKey"] = FakeStripeServer.SecretKey,
        ["Billing:Stripe:WebhookSecret"] = FakeStripeServer.WebhookSecret,
        ["Billing:Stripe:ApiBase"] = stripe.BaseUrl,
    };

    public async Task InitializeAsync()
    {
        Stripe = await FakeStripeServer.StartAsync();
        _factory = new AiStudioWebFactory(Settings(Stripe));
        _app = _factory.WithWebHostBuilder(web => web
            .ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock))
            .ConfigureLogging(logging => logging.AddProvider(Logs)));

        // The derived factory does not inherit Kestrel from its parent.
        _app.UseKestrel(0);
        _app.StartServer();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1").TrimEnd('/') + "/");
        Stripe.WebhookUrl = new Uri(Address, "billing/webhook").ToString();
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        await Stripe.DisposeAsync();
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public async Task<AiStudioDbContext> CreateDbContextAsync() =>
        await Get<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();

    public async Task<Actor> CreateUserAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        var result = await users.CreateAsync(user, "Passw0rd!-long-enough");
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return new Actor(user.Id, email);
    }

    /// <summary>A user who has been to Checkout once, so the app made (and stored) their Stripe customer.</summary>
    public async Task<(Actor User, string CustomerId)> CreateCustomerAsync(string email)
    {
        var user = await CreateUserAsync(email);
        await Get<IBillingService>().StartCheckoutAsync(user, "Pro", Address.ToString());
        return (user, (await GetAccountAsync(user.UserId))!.StripeCustomerId!);
    }

    public async Task<BillingAccount?> GetAccountAsync(string userId)
    {
        await using var db = await CreateDbContextAsync();
        return await db.BillingAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == userId);
    }

    public Task<HttpStatusCode> SendAsync(string payload, string? signatureHeader = null) => Stripe.SendWebhookAsync(payload, signatureHeader);
}
