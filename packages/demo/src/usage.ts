import type { UsageEvent } from '@tally/metering';
import { DateTime } from 'luxon';
import type { DemoCustomer } from './customers.js';
import type { Random } from './random.js';

/** Destinations dialled by the demo's subscribers: fixed and mobile Germany, North America, the UK. */
const DESTINATIONS = ['4930', '4940', '4989', '49151', '49160', '49170', '1212', '1415', '4420'];

function event(
  source: string,
  id: string,
  type: string,
  subject: string,
  /** Epoch milliseconds. */
  time: number,
  data: Record<string, unknown>,
): UsageEvent {
  return {
    specversion: '1.0',
    id,
    source,
    type,
    subject,
    time: new Date(time).toISOString(),
    datacontenttype: 'application/json',
    data,
  } as UsageEvent;
}

/**
 * One month of clean usage for one customer, from its subscription start to the end of the month in its
 * time zone. Telecom: call detail records, SMS and data sessions. Utility: hourly interval energy, daily
 * cumulative register reads, two-hourly power samples. IoT: daily heartbeats and messages per device.
 * Times are epoch milliseconds once the zone's calendar is not needed (hours, minutes and seconds are exact
 * durations; luxon is kept for the start of an hour or a day and the local hour): luxon's zone arithmetic
 * per event was most of the demo's 6 s of generating at 300 customers.
 */
export function generateUsage(c: DemoCustomer, options: { month: string; random: Random }): UsageEvent[] {
  const { random } = options;
  const zone = c.customer.timeZone;
  const from = DateTime.fromISO(c.subscription.start, { zone: 'utc' }).setZone(zone);
  const to = DateTime.fromISO(`${options.month}-01T00:00:00`, { zone }).plus({ months: 1 });
  const [fromMs, toMs] = [from.toMillis(), to.toMillis()];
  const subject = c.customer.id;
  const events: UsageEvent[] = [];
  const at = (t: number) => Math.max(t, fromMs);
  const spanSeconds = (toMs - fromMs) / 1000;
  const randomTime = () => at(fromMs + Math.floor(random.next() * spanSeconds) * 1000);
  /** The hour of the day in the customer's zone at an instant. */
  const localHour = (t: number) => new Date(t + from.zone.offset(t) * 60_000).getUTCHours();

  if (c.business === 'telecom') {
    const source = 'urn:demo:switch:ham1';
    const calls = random.int(10, 60);
    for (let n = 0; n < calls; n++) {
      const dest = random.pick(DESTINATIONS) + String(random.int(100000, 999999));
      events.push(
        event(source, `${subject}-cdr-${n}`, 'tally.call.completed', subject, randomTime(), {
          destination: dest,
          durationSeconds: random.chance(0.1) ? random.int(1, 20) : random.int(20, 1800),
        }),
      );
    }
    for (let n = 0, sms = random.int(0, 40); n < sms; n++) {
      events.push(
        event('urn:demo:smsc:ham1', `${subject}-sms-${n}`, 'tally.sms.sent', subject, randomTime(), {
          to: '49170',
        }),
      );
    }
    for (let n = 0, sessions = random.int(5, 40); n < sessions; n++) {
      events.push(
        event('urn:demo:pgw:ham1', `${subject}-data-${n}`, 'tally.data.session', subject, randomTime(), {
          bytes: random.int(1_000_000, 900_000_000),
        }),
      );
    }
  } else if (c.business === 'utility') {
    const source = `urn:demo:ami:${subject}`;
    let register = random.int(1_000, 90_000);
    const peakKw = 5 + random.int(0, 40);
    for (let t = from.startOf('hour').toMillis(); t < toMs; t += 3_600_000) {
      const hour = localHour(t);
      const kwh = ((hour >= 16 && hour < 21 ? 2.5 : 1) * (0.5 + random.next() * 2)).toFixed(3);
      events.push(event(source, `${subject}-e-${t}`, 'tally.energy.interval', subject, t, { kwh }));
      register += Number(kwh);
      if (hour % 2 === 0) {
        const kw = (peakKw * (0.3 + random.next() * 0.7)).toFixed(2);
        events.push(event(source, `${subject}-p-${t}`, 'tally.power.sample', subject, t, { kw }));
      }
      if (hour === 0) {
        // The register rolls over at 100000 kWh, as the plan's meter declares.
        const reading = (register % 100_000).toFixed(3);
        events.push(
          event(source, `${subject}-r-${t}`, 'tally.meter.read', subject, t, {
            register: reading,
          }),
        );
      }
    }
  } else {
    for (const device of c.devices) {
      const source = 'urn:demo:iot-gateway:eu1';
      for (let d = from.startOf('day'); d < to; d = d.plus({ days: 1 })) {
        const day = d.toMillis();
        const t = at(day + random.int(0, 1439) * 60_000);
        if (t >= toMs) continue;
        events.push(
          event(source, `${device}-hb-${day}`, 'tally.device.heartbeat', device, t, {
            deviceId: device,
          }),
        );
        for (let m = 0, msgs = random.int(0, 6); m < msgs; m++) {
          const mt = at(day + random.int(0, 1439) * 60_000);
          if (mt >= toMs) continue;
          events.push(
            event(source, `${device}-msg-${day}-${m}`, 'tally.device.message', device, mt, {
              bytes: random.int(200, 400_000),
            }),
          );
        }
      }
    }
    const levels = random.int(3, 30);
    events.push(
      event('urn:demo:storage', `${subject}-st-0`, 'tally.storage.level', subject, fromMs, {
        gb: String(levels),
      }),
    );
  }
  return events;
}
