namespace AiStudio.Web.Components.Pages.Builds.Components;

public static class CostText
{
    /// <summary>Costs are stored exactly; shown to a tenth of a cent, with small non-zero amounts kept visible.</summary>
    public static string Format(decimal usd) => usd switch
    {
        0m => "$0.00",
        < 0.001m => $"${usd:0.######}",
        _ => $"${usd:0.000}",
    };
}
