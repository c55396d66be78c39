using AiStudio.Core.Billing;
using AiStudio.Core.Common;
using AiStudio.Web.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace AiStudio.Web.Components.Pages.Billing;

public sealed partial class PricingPage
{
    private Actor? _actor;
    private PlanStanding? _standing;
    private string? _error;
    private bool _busy;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;
    [Inject] private IBillingService Billing { get; set; } = default!;
    [Inject] private IEntitlementService Entitlements { get; set; } = default!;
    [Inject] private ActorFactory Actors { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _actor = Actors.TryFrom((await AuthenticationState).User);
        if (_actor is not null)
        {
            _standing = await Entitlements.GetStandingAsync(_actor.UserId);
        }
    }

    private async Task ChooseAsync(Plan plan)
    {
        if (_actor is null)
        {
            Navigation.NavigateTo($"Account/Login?ReturnUrl={Uri.EscapeDataString("/pricing")}", forceLoad: true);
            return;
        }

        _busy = true;
        _error = null;
        try
        {
            var checkoutUrl = await Billing.StartCheckoutAsync(_actor, plan.Name, Navigation.BaseUri);
            Navigation.NavigateTo(checkoutUrl, forceLoad: true);
        }
        catch (DomainException ex)
        {
            _error = ex.Message;
            _busy = false;
        }
    }
}
