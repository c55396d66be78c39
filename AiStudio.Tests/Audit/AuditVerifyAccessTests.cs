using System.Security.Claims;
using AiStudio.Core.Audit;
using AiStudio.Core.Identity;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Admin.Audit;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AiStudio.Tests.Audit;

/// <summary>
/// "Verify now" seals the events waiting to be sealed before it checks the chain, and only for an administrator:
/// someone else who reaches the page and presses it is refused before anything is sealed.
/// </summary>
public sealed class AuditVerifyAccessTests : ComponentTestBase
{
    private readonly CountingSealer _sealer = new();
    private TestAppHost? _app;

    public override async Task InitializeAsync()
    {
        // The background sealer uses the sealer itself; only calls through IAuditSealer (the page's or the verifier's) count.
        _app = await UseRealCoreAsync(services =>
            services.AddSingleton<IAuditSealer>(sp => _sealer.Wrapping(sp.GetRequiredService<AuditSealer>())));
        Services.AddSingleton(_app.Get<IAuditChainVerifier>());
        Services.AddSingleton(_app.Get<IAuditSealer>());
    }

    [Fact]
    public async Task VerifyNow_NotAnAdministrator_RefusedAndNothingSealed()
    {
        await SignInAsync("member@example.com", isAdmin: false);
        Render<MudPopoverProvider>();
        var cut = Render<AuditVerifyPage>();

        await cut.InvokeAsync(() => cut.Find("#audit-verify").Click());

        cut.WaitForAssertion(() => Assert.Equal(AuditAccess.AdminsOnly, cut.Find("#audit-verify-result").TextContent.Trim()));
        Assert.Equal(0, _sealer.Calls);
    }

    [Fact]
    public async Task VerifyNow_Administrator_SealsThenVerifies()
    {
        await SignInAsync("admin@example.com", isAdmin: true);
        Render<MudPopoverProvider>();
        var cut = Render<AuditVerifyPage>();

        await cut.InvokeAsync(() => cut.Find("#audit-verify").Click());

        cut.WaitForAssertion(() => Assert.StartsWith("All ", cut.Find("#audit-verify-result").TextContent.Trim()));
        Assert.Equal(1, _sealer.Calls);
    }

    private async Task SignInAsync(string email, bool isAdmin)
    {
        var actor = await _app!.CreateUserAsync(email, isAdmin);
        var authorization = AddAuthorization();
        authorization.SetAuthorized(actor.DisplayName);
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, actor.UserId) };
        if (isAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, AdminRole.Name));
        }

        authorization.SetClaims([.. claims]);
    }

    private sealed class CountingSealer : IAuditSealer
    {
        private IAuditSealer? _inner;
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public IAuditSealer Wrapping(IAuditSealer inner)
        {
            _inner = inner;
            return this;
        }

        public Task<int> SealPendingAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return _inner!.SealPendingAsync(cancellationToken);
        }

        public void Poke() => _inner!.Poke();
    }
}
