// Hand-written placeholder matching /tmp/contract.ts; ts-rs regenerates this file with the same shape.
export type Role = "cashier" | "shop_manager" | "company_admin" | "platform_admin";
