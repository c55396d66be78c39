using System.Security.Claims;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Web.Infrastructure;
using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace AiStudio.Tests.Support;

/// <summary>
/// bUnit context with MudBlazor and, on request, the real Core services of a <see cref="TestAppHost"/>
/// (real SQLite, real worker, offline model) and a signed-in user.
/// </summary>
public abstract class ComponentTestBase : BunitContext, IAsyncLifetime
{
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(30);

    protected ComponentTestBase()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<MarkdownRenderer>();
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        Services.AddSingleton<ActorFactory>();
        Services.AddScoped<CurrentActor>();
    }

    /// <summary>The running Core host, after <see cref="UseRealCoreAsync"/>.</summary>
    protected TestAppHost Host => _host ?? _sharedHost ?? throw new InvalidOperationException("Call UseRealCoreAsync first.");

    private TestAppHost? _host;
    private TestAppHost? _sharedHost;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Starts a real Core host and registers its build services and clock for the components under test.</summary>
    protected async Task<TestAppHost> UseRealCoreAsync(TimeProvider? clock = null, IDictionary<string, string?>? settings = null)
    {
        _host = await TestAppHost.StartAsync(settings);
        AddBuildServices(_host, clock);
        return _host;
    }

    /// <summary>As <see cref="UseRealCoreAsync(TimeProvider?)"/>, with some of the host's services replaced.</summary>
    protected async Task<TestAppHost> UseRealCoreAsync(Action<IServiceCollection> replaceServices)
    {
        _host = await TestAppHost.StartAsync(null, replaceServices);
        AddBuildServices(_host, clock: null);
        return _host;
    }

    /// <summary>Uses a host shared by the tests of a class (a class fixture), which the fixture disposes.</summary>
    protected void UseSharedCore(TestAppHost host)
    {
        _sharedHost = host;
        AddBuildServices(host, clock: null);
    }

    private void AddBuildServices(TestAppHost host, TimeProvider? clock)
    {
        Services.AddSingleton(host.Get<IBuildQueries>());
        Services.AddSingleton(host.Get<IBuildCommands>());
        Services.AddSingleton(host.Get<IBuildEvents>());
        Services.AddSingleton(clock ?? host.Get<TimeProvider>());
    }

    /// <summary>Creates a user in the host's database and signs them in to the components' circuit.</summary>
    protected async Task<Actor> SignInNewUserAsync(string email = "member@example.com")
    {
        var actor = await Host.CreateUserAsync(email);
        SignIn(actor);
        return actor;
    }

    protected void SignIn(Actor actor)
    {
        var authorization = AddAuthorization();
        authorization.SetAuthorized(actor.DisplayName);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, actor.UserId));
    }

    protected Task<Guid> StartBuildAsync(Actor actor, string title = "Invoice reminders", string project = "Billing",
        string requirements = "Customers receive an email reminder seven days before an invoice is due.") =>
        Host.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest(project, title, requirements));

    /// <summary>Waits for the real worker and the offline model to bring the build's current attempt to <paramref name="status"/>.</summary>
    protected async Task<BuildDetails> WaitForCurrentRunAsync(Actor actor, Guid buildId, PhaseRunStatus status = PhaseRunStatus.AwaitingApproval)
    {
        var queries = Host.Get<IBuildQueries>();
        var deadline = DateTime.UtcNow + StateTimeout;
        while (true)
        {
            var details = await queries.GetAsync(actor, buildId) ?? throw new InvalidOperationException($"Build {buildId} is not visible.");
            if (details.CurrentRun?.Status == status)
            {
                return details;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Build {buildId} did not reach {status}; it is {details.State} with run {details.CurrentRun?.Status}.");
            }

            await Task.Delay(50);
        }
    }

    // xunit 2 does not await IAsyncDisposable, and MudBlazor's services are IAsyncDisposable only.
    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

/// <summary>A clock that stands still until a test moves it.</summary>
public sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
