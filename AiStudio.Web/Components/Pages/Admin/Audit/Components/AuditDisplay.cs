using System.Globalization;
using AiStudio.Core.Costs;

namespace AiStudio.Web.Components.Pages.Admin.Audit.Components;

/// <summary>How the audit pages write times, ids and long text.</summary>
internal static class AuditDisplay
{
    private const int DetailLength = 140;

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Short(string id) => id.Length > 13 ? id[..8] + "…" : id;

    public static string Clip(string? text) => text is null ? "" : text.Length > DetailLength ? text[..DetailLength] + "…" : text;

    public static string Money(decimal? cost) => cost is { } c ? CostLedger.Format(c) : "";
}
