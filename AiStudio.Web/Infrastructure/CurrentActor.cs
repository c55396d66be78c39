using AiStudio.Core.Common;
using Microsoft.AspNetCore.Components.Authorization;

namespace AiStudio.Web.Infrastructure;

/// <summary>The circuit's signed-in user as the <see cref="Actor"/> that Core services check.</summary>
public sealed class CurrentActor(AuthenticationStateProvider authentication, ActorFactory actors)
{
    public async Task<Actor> GetAsync() => actors.From((await authentication.GetAuthenticationStateAsync()).User);
}
