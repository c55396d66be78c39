using AiStudio.Core.Common;
using Microsoft.Extensions.Options;
using Stripe;

namespace AiStudio.Core.Billing;

/// <summary>Billing needs a Stripe secret key, and this installation has none.</summary>
public sealed class BillingNotConfiguredException()
    : DomainException("Billing is not configured on this installation, so plans cannot be bought here.");

/// <summary>Stripe did not answer, or refused; nothing was bought or changed.</summary>
public sealed class BillingUnavailableException()
    : DomainException("Stripe could not be reached just now, so nothing was bought or changed. Please try again in a minute.");

/// <summary>The one Stripe client of the app, made from configuration when billing is switched on.</summary>
internal sealed class StripeGateway(IOptions<BillingOptions> options)
{
    private readonly Lazy<StripeClient?> _client = new(() => Create(options.Value.Stripe));

    public bool IsEnabled => options.Value.Stripe.IsConfigured;

    public StripeClient Client => _client.Value ?? throw new BillingNotConfiguredException();

    private static StripeClient? Create(StripeOptions stripe)
    {
        if (!stripe.IsConfigured)
        {
            return null;
        }

        var clientOptions = new StripeClientOptions { ApiKey = stripe.SecretKey };
        if (!string.IsNullOrWhiteSpace(stripe.ApiBase))
        {
            clientOptions.ApiBase = stripe.ApiBase.TrimEnd('/');
        }

        return new StripeClient(clientOptions);
    }
}
