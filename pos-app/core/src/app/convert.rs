//! Core records to views: the one place that decides how the till's types look to a
//! front end.

use pos_shared::Money;
use pos_shared::sale::Discount;

use super::views::{
    CustomerView, DiscountView, ShiftReportView, ShiftView, StaffView, TerminalView,
};
use crate::customers::Customer;
use crate::shifts::{Shift, ShiftReport};
use crate::staff::Staff;
use crate::terminal::Terminal;

pub(super) fn staff(s: &Staff) -> StaffView {
    StaffView {
        id: s.id.clone(),
        name: s.name.clone(),
        role: s.role.as_str().to_owned(),
    }
}

pub(super) fn shift(s: &Shift) -> ShiftView {
    ShiftView {
        id: s.id.clone(),
        opened_by: s.opened_by.clone(),
        opened_at_ms: s.opened_at_ms,
        opening_float_minor: s.opening_float_minor,
    }
}

/// `server_url`, `locale` and `time_zone` come from settings the caller read.
pub(super) fn terminal(
    t: &Terminal,
    server_url: Option<String>,
    locale: String,
    time_zone: String,
) -> TerminalView {
    TerminalView {
        terminal_id: t.terminal_id.clone(),
        shop_name: t.shop_name.clone(),
        company_name: Some(t.company_name.clone()).filter(|n| !n.trim().is_empty()),
        currency: t.currency.as_str().to_owned(),
        minor_digits: t.currency.minor_units(),
        cash_rounding_minor: t.cash_rounding_step.unwrap_or(1),
        locale,
        time_zone,
        enrolled: server_url.is_some(),
        server_url,
    }
}

pub(super) fn customer(c: &Customer) -> CustomerView {
    CustomerView {
        id: c.id.clone(),
        name: c.name.clone(),
        phone: c.phone.clone(),
        email: c.email.clone(),
        balance_minor: c.balance_minor,
        credit_limit_minor: c.credit_limit_minor,
    }
}

pub(super) fn discount_view(d: &Discount) -> DiscountView {
    match d {
        Discount::Percent(bp) => DiscountView::Percent { bp: *bp },
        Discount::Amount(m) => DiscountView::Amount { minor: m.minor },
    }
}

pub(super) fn discount(d: DiscountView, t: &Terminal) -> Discount {
    match d {
        DiscountView::Percent { bp } => Discount::Percent(bp),
        DiscountView::Amount { minor } => Discount::Amount(Money::new(minor, t.currency)),
    }
}

pub(super) fn report(r: &ShiftReport) -> ShiftReportView {
    ShiftReportView {
        shift_id: r.shift_id.clone(),
        opening_float_minor: r.opening_float_minor,
        sales_count: r.sales_count,
        sales_total_minor: r.sales_total_minor,
        discount_minor: r.discount_minor,
        tax_minor: r.tax_minor,
        refunds_count: r.refunds_count,
        refunds_total_minor: r.refunds_total_minor,
        paid_in_minor: r.paid_in_minor,
        paid_out_minor: r.paid_out_minor,
        no_sale_count: r.no_sale_count,
        debt_payments_minor: r.debt_payments_minor,
        tenders: r.tenders.clone(),
        expected: r.expected.clone(),
    }
}
