import { describe, expect, it } from 'vitest';
import type { DeviceSettings } from '$lib/bindings/DeviceSettings';
import { toForm, toSettings } from './devices';

const saved: DeviceSettings = {
  printer: { connection: { kind: 'tcp', host: '10.0.0.5', port: 9100 }, paper_mm: 58, cut: false, drawer_pin: 5, pulse_ms: 120 },
  scanner: null,
  scale: { path: '/dev/ttyUSB0', baud: 9600 },
  display: null,
  code_page: 'CP858',
};

describe('device settings form', () => {
  it('shows what is saved and gives it back unchanged', () => {
    const form = toForm(saved);
    expect(form.printer).toMatchObject({ on: true, kind: 'tcp', host: '10.0.0.5', paper: '58', drawerPin: '5', pulse: '120' });
    expect(form.scanner.on).toBe(false);
    expect(toSettings(form)).toEqual(saved);
  });

  it('switches a printer to a serial port and drops a device switched off', () => {
    const form = toForm(saved);
    form.printer.kind = 'serial';
    form.printer.path = ' /dev/ttyS0 ';
    form.printer.baud = '19200';
    form.scale.on = false;
    const s = toSettings(form);
    expect(s?.printer?.connection).toEqual({ kind: 'serial', path: '/dev/ttyS0', baud: 19200 });
    expect(s?.scale).toBeNull();
  });

  it('refuses a port or pulse that is not a whole number', () => {
    const form = toForm(saved);
    form.printer.port = '91o0';
    expect(toSettings(form)).toBeNull();
    const other = toForm(saved);
    other.scale.baud = '';
    expect(toSettings(other)).toBeNull();
  });
});
