using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AiStudio.Core.Persistence;

internal sealed class DateTimeOffsetToUtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));

/// <summary>Npgsql writes <c>timestamptz</c> only from a UTC offset; parameters of queries pass through this too.</summary>
internal sealed class DateTimeOffsetToUtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
    value => value.ToUniversalTime(),
    value => value);
