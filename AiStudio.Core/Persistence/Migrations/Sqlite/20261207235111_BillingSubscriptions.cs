using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AiStudio.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class BillingSubscriptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BillingSubscriptions",
                columns: table => new
                {
                    SubscriptionId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    PlanName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CurrentPeriodEnd = table.Column<long>(type: "INTEGER", nullable: true),
                    CancelAtPeriodEnd = table.Column<bool>(type: "INTEGER", nullable: false),
                    PastDueSince = table.Column<long>(type: "INTEGER", nullable: true),
                    LastEventCreatedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BillingSubscriptions", x => x.SubscriptionId);
                    table.ForeignKey(
                        name: "FK_BillingSubscriptions_BillingAccounts_UserId",
                        column: x => x.UserId,
                        principalTable: "BillingAccounts",
                        principalColumn: "UserId",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BillingSubscriptions_UserId",
                table: "BillingSubscriptions",
                column: "UserId");

            // Accounts from before this migration: the subscription they follow becomes their first known one.
            migrationBuilder.Sql(
                """
                INSERT INTO "BillingSubscriptions" ("SubscriptionId", "UserId", "StartedAt", "PlanName", "Status", "CurrentPeriodEnd", "CancelAtPeriodEnd", "PastDueSince", "LastEventCreatedAt")
                SELECT "StripeSubscriptionId", "UserId", COALESCE("LastEventCreatedAt", "UpdatedAt"), "PlanName", "Status", "CurrentPeriodEnd", "CancelAtPeriodEnd", "PastDueSince", "LastEventCreatedAt"
                FROM "BillingAccounts"
                WHERE "StripeSubscriptionId" IS NOT NULL AND "Status" <> 'None'
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BillingSubscriptions");
        }
    }
}
