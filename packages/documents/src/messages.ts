import type { DocumentKind } from './request.js';

/**
 * The template strings of every document, per language. Each language is a full {@link Messages} object, so
 * a missing or misspelt key fails the type check. Parameters arrive already formatted for the customer's
 * locale (amounts, dates) and as plain text: renderers escape the result for their output, so a message
 * never contains markup.
 */
export const LANGUAGES = ['en', 'de', 'fr', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];

interface Base {
  readonly number: string;
  readonly issuer: string;
  readonly amountDue: string;
  readonly dueDate: string;
  readonly period: string;
}

/** The parameters each kind's subject and introduction receive. */
export interface KindParams {
  readonly invoice: Base & { readonly nothingDue: boolean };
  readonly 'credit-note': Base & {
    readonly creditNumber: string;
    readonly creditAmount: string;
    readonly reason: string;
  };
  readonly receipt: Base & { readonly paidAmount: string; readonly paidOn: string };
  readonly reminder: Base & { readonly daysOverdue: number };
  readonly 'final-notice': Base & { readonly daysOverdue: number; readonly suspendOn: string };
  readonly suspended: Base & { readonly effectiveOn: string };
  readonly restored: Base & { readonly effectiveOn: string };
}

type PerKind = { readonly [K in DocumentKind]: (p: KindParams[K]) => string };

export interface Messages {
  readonly title: { readonly [K in DocumentKind]: string };
  readonly subject: PerKind;
  readonly intro: PerKind;
  readonly greeting: (name: string) => string;
  readonly closing: string;
  readonly attachmentNote: string;
  readonly questions: string;
  readonly labels: {
    readonly invoiceNumber: string;
    readonly creditNoteNumber: string;
    readonly issueDate: string;
    readonly dueDate: string;
    readonly servicePeriod: string;
    readonly customerNumber: string;
    readonly taxId: string;
    readonly billedTo: string;
    readonly issuedBy: string;
    readonly description: string;
    readonly quantity: string;
    readonly unitPrice: string;
    readonly amount: string;
    readonly charges: string;
    readonly subtotal: string;
    readonly discounts: string;
    readonly credits: string;
    readonly total: string;
    readonly amountDue: string;
    readonly creditBalance: string;
    readonly amountPaid: string;
    readonly paymentDate: string;
    readonly paymentReference: string;
    readonly reason: string;
    readonly creditAmount: string;
    readonly daysOverdue: string;
    readonly suspensionDate: string;
    readonly effective: string;
    readonly lines: string;
    readonly totals: string;
    readonly invoiceDate: string;
    readonly creditNoteDate: string;
    readonly creditedLines: string;
    readonly totalCredited: string;
  };
  readonly tax: {
    readonly exclusive: (name: string, base: string) => string;
    readonly inclusive: (name: string) => string;
    readonly exempt: (reason: string) => string;
  };
  readonly line: {
    readonly tier: (index: number, from: string, upTo: string | null) => string;
    readonly proratedDays: (numerator: number, denominator: number) => string;
    readonly proratedShare: (percent: string) => string;
    readonly unusedTimeCredit: string;
    readonly seats: (quantity: string) => string;
    readonly lateUsage: (period: string, invoiceNumber: string | null) => string;
    readonly coupon: (code: string, value: string) => string;
    readonly inAdvance: string;
    /** On a credit note: what the credited line charged on the original invoice. */
    readonly chargedOn: (invoiceNumber: string, charged: string) => string;
    readonly partialCredit: string;
  };
  readonly payment: {
    readonly heading: string;
    readonly transfer: (reference: string, amount: string, dueDate: string) => string;
    readonly accountHolder: string;
    readonly iban: string;
    readonly bic: string;
    readonly online: (url: string) => string;
    readonly nothingToPay: string;
  };
  readonly rounding: (lines: string, tax: 'per-line' | 'per-invoice') => string;
  readonly roundingModes: { readonly [M in 'half-up' | 'half-even' | 'up' | 'down']: string };
  readonly appendix: {
    readonly calls: string;
    readonly intervals: (meter: string, unit: string | undefined) => string;
    readonly callHeaders: readonly [string, string, string, string];
    readonly intervalHeaders: readonly [string, string, string];
    readonly records: (count: string) => string;
    /** The appendix is cut after `shown` rows so the PDF stays printable. */
    readonly truncated: (shown: string, total: string) => string;
  };
  readonly page: (n: number, of: number) => string;
  readonly reference: (ref: string) => string;
}

const en: Messages = {
  title: {
    invoice: 'Invoice',
    'credit-note': 'Credit note',
    receipt: 'Payment receipt',
    reminder: 'Payment reminder',
    'final-notice': 'Final notice',
    suspended: 'Service suspended',
    restored: 'Service restored',
  },
  subject: {
    invoice: (p) =>
      p.nothingDue
        ? `Invoice ${p.number} from ${p.issuer}`
        : `Invoice ${p.number} from ${p.issuer}: ${p.amountDue} due ${p.dueDate}`,
    'credit-note': (p) => `Credit note ${p.creditNumber} for invoice ${p.number}`,
    receipt: (p) => `Payment received for invoice ${p.number}, thank you`,
    reminder: (p) => `Reminder: invoice ${p.number} is overdue`,
    'final-notice': (p) => `Final notice: invoice ${p.number} is ${p.daysOverdue} days overdue`,
    suspended: (p) => `Your ${p.issuer} service has been suspended`,
    restored: (p) => `Your ${p.issuer} service has been restored`,
  },
  intro: {
    invoice: (p) =>
      p.nothingDue
        ? `Here is your invoice ${p.number} for ${p.period}. There is nothing to pay.`
        : `Here is your invoice ${p.number} for ${p.period}. The amount due is ${p.amountDue}, payable by ${p.dueDate}.`,
    'credit-note': (p) =>
      `We have issued credit note ${p.creditNumber} of ${p.creditAmount} for invoice ${p.number}. Reason: ${p.reason}.`,
    receipt: (p) =>
      `Thank you: we received your payment of ${p.paidAmount} on ${p.paidOn} for invoice ${p.number}.`,
    reminder: (p) =>
      `Invoice ${p.number} of ${p.amountDue} was due on ${p.dueDate} and is now ${p.daysOverdue} days overdue. If you have already paid, please disregard this reminder.`,
    'final-notice': (p) =>
      `Invoice ${p.number} of ${p.amountDue} is ${p.daysOverdue} days overdue. If we do not receive payment by ${p.suspendOn}, your service will be suspended.`,
    suspended: (p) =>
      `Your service was suspended on ${p.effectiveOn} because invoice ${p.number} of ${p.amountDue} is unpaid. Pay the amount due to have it restored.`,
    restored: (p) => `Your service was restored on ${p.effectiveOn}. Thank you for your payment.`,
  },
  greeting: (name) => `Dear ${name},`,
  closing: 'Kind regards',
  attachmentNote: 'The document is attached as a PDF.',
  questions: 'Questions about this bill? Reply to this email.',
  labels: {
    invoiceNumber: 'Invoice number',
    creditNoteNumber: 'Credit note number',
    issueDate: 'Issue date',
    dueDate: 'Due date',
    servicePeriod: 'Service period',
    customerNumber: 'Customer number',
    taxId: 'Tax ID',
    billedTo: 'Billed to',
    issuedBy: 'Issued by',
    description: 'Description',
    quantity: 'Quantity',
    unitPrice: 'Unit price',
    amount: 'Amount',
    charges: 'Charges',
    subtotal: 'Subtotal',
    discounts: 'Discounts',
    credits: 'Prepaid credit applied',
    total: 'Total',
    amountDue: 'Amount due',
    creditBalance: 'Added to your credit balance',
    amountPaid: 'Amount paid',
    paymentDate: 'Payment date',
    paymentReference: 'Payment reference',
    reason: 'Reason',
    creditAmount: 'Amount credited',
    daysOverdue: 'Days overdue',
    suspensionDate: 'Suspension date',
    effective: 'Effective',
    lines: 'Charges',
    totals: 'Totals',
    invoiceDate: 'Invoice date',
    creditNoteDate: 'Credit note date',
    creditedLines: 'Credited charges',
    totalCredited: 'Total credited',
  },
  tax: {
    exclusive: (name, base) => `${name} on ${base}`,
    inclusive: (name) => `Includes ${name}`,
    exempt: (reason) => `No tax charged: ${reason}`,
  },
  line: {
    tier: (i, from, upTo) => (upTo === null ? `Tier ${i}: above ${from}` : `Tier ${i}: ${from} to ${upTo}`),
    proratedDays: (n, d) => `Prorated: ${n} of ${d} days`,
    proratedShare: (pct) => `Prorated: ${pct} of the period`,
    unusedTimeCredit: 'Credit for unused time',
    seats: (q) => `${q} seats`,
    lateUsage: (period, inv) =>
      inv === null ? `Late usage for ${period}` : `Late usage for ${period} (corrects invoice ${inv})`,
    coupon: (code, value) => `Coupon ${code}: ${value}`,
    inAdvance: 'Billed in advance',
    chargedOn: (inv, charged) => `Charged on invoice ${inv}: ${charged}`,
    partialCredit: 'Partial credit',
  },
  payment: {
    heading: 'How to pay',
    transfer: (ref, amount, due) =>
      `Please transfer ${amount} by ${due} and quote ${ref} as the payment reference.`,
    accountHolder: 'Account holder',
    iban: 'IBAN',
    bic: 'BIC',
    online: (url) => `Or pay online: ${url}`,
    nothingToPay: 'There is nothing to pay.',
  },
  rounding: (lines, tax) =>
    `Each line is rounded once to the currency's smallest unit (${lines}); tax is rounded ${tax === 'per-line' ? 'per line' : 'once per rate on the subtotal'}.`,
  roundingModes: { 'half-up': 'half up', 'half-even': 'half to even', up: 'up', down: 'down' },
  appendix: {
    calls: 'Itemized calls',
    intervals: (meter, unit) => `Interval consumption: ${meter}${unit ? ` (${unit})` : ''}`,
    callHeaders: ['Time', 'Destination', 'Duration (s)', 'Amount'],
    intervalHeaders: ['From', 'To', 'Quantity'],
    records: (n) => `${n} records`,
    truncated: (shown, total) =>
      `The first ${shown} of ${total} records are listed; the complete list is available on request.`,
  },
  page: (n, of) => `Page ${n} of ${of}`,
  reference: (ref) => `Reference: ${ref}`,
};

const de: Messages = {
  title: {
    invoice: 'Rechnung',
    'credit-note': 'Gutschrift',
    receipt: 'Zahlungsbestätigung',
    reminder: 'Zahlungserinnerung',
    'final-notice': 'Letzte Mahnung',
    suspended: 'Dienst gesperrt',
    restored: 'Dienst wieder freigeschaltet',
  },
  subject: {
    invoice: (p) =>
      p.nothingDue
        ? `Rechnung ${p.number} von ${p.issuer}`
        : `Rechnung ${p.number} von ${p.issuer}: ${p.amountDue} fällig am ${p.dueDate}`,
    'credit-note': (p) => `Gutschrift ${p.creditNumber} zur Rechnung ${p.number}`,
    receipt: (p) => `Zahlung für Rechnung ${p.number} erhalten, vielen Dank`,
    reminder: (p) => `Zahlungserinnerung: Rechnung ${p.number} ist überfällig`,
    'final-notice': (p) => `Letzte Mahnung: Rechnung ${p.number} ist seit ${p.daysOverdue} Tagen überfällig`,
    suspended: (p) => `Ihr Dienst bei ${p.issuer} wurde gesperrt`,
    restored: (p) => `Ihr Dienst bei ${p.issuer} ist wieder freigeschaltet`,
  },
  intro: {
    invoice: (p) =>
      p.nothingDue
        ? `anbei erhalten Sie Ihre Rechnung ${p.number} für ${p.period}. Es ist nichts zu zahlen.`
        : `anbei erhalten Sie Ihre Rechnung ${p.number} für ${p.period}. Der fällige Betrag von ${p.amountDue} ist bis zum ${p.dueDate} zu zahlen.`,
    'credit-note': (p) =>
      `wir haben Ihnen zur Rechnung ${p.number} die Gutschrift ${p.creditNumber} über ${p.creditAmount} ausgestellt. Grund: ${p.reason}.`,
    receipt: (p) =>
      `vielen Dank: Ihre Zahlung über ${p.paidAmount} vom ${p.paidOn} für Rechnung ${p.number} ist bei uns eingegangen.`,
    reminder: (p) =>
      `die Rechnung ${p.number} über ${p.amountDue} war am ${p.dueDate} fällig und ist seit ${p.daysOverdue} Tagen überfällig. Falls Sie bereits gezahlt haben, betrachten Sie diese Erinnerung bitte als gegenstandslos.`,
    'final-notice': (p) =>
      `die Rechnung ${p.number} über ${p.amountDue} ist seit ${p.daysOverdue} Tagen überfällig. Geht die Zahlung nicht bis zum ${p.suspendOn} ein, wird Ihr Dienst gesperrt.`,
    suspended: (p) =>
      `Ihr Dienst wurde am ${p.effectiveOn} gesperrt, weil die Rechnung ${p.number} über ${p.amountDue} nicht bezahlt ist. Nach Zahlung des fälligen Betrags schalten wir ihn wieder frei.`,
    restored: (p) =>
      `Ihr Dienst ist seit ${p.effectiveOn} wieder freigeschaltet. Vielen Dank für Ihre Zahlung.`,
  },
  greeting: () => 'Sehr geehrte Damen und Herren,',
  closing: 'Mit freundlichen Grüßen',
  attachmentNote: 'Das Dokument finden Sie als PDF im Anhang.',
  questions: 'Fragen zu dieser Rechnung? Antworten Sie einfach auf diese E-Mail.',
  labels: {
    invoiceNumber: 'Rechnungsnummer',
    creditNoteNumber: 'Gutschriftnummer',
    issueDate: 'Rechnungsdatum',
    dueDate: 'Fällig am',
    servicePeriod: 'Leistungszeitraum',
    customerNumber: 'Kundennummer',
    taxId: 'USt-IdNr.',
    billedTo: 'Rechnungsempfänger',
    issuedBy: 'Rechnungssteller',
    description: 'Beschreibung',
    quantity: 'Menge',
    unitPrice: 'Einzelpreis',
    amount: 'Betrag',
    charges: 'Leistungen',
    subtotal: 'Zwischensumme',
    discounts: 'Rabatte',
    credits: 'Verrechnetes Guthaben',
    total: 'Gesamtbetrag',
    amountDue: 'Zu zahlen',
    creditBalance: 'Ihrem Guthaben gutgeschrieben',
    amountPaid: 'Gezahlter Betrag',
    paymentDate: 'Zahlungsdatum',
    paymentReference: 'Zahlungsreferenz',
    reason: 'Grund',
    creditAmount: 'Gutgeschriebener Betrag',
    daysOverdue: 'Tage überfällig',
    suspensionDate: 'Sperrung am',
    effective: 'Wirksam ab',
    lines: 'Positionen',
    totals: 'Summen',
    invoiceDate: 'Rechnungsdatum',
    creditNoteDate: 'Gutschriftsdatum',
    creditedLines: 'Gutgeschriebene Positionen',
    totalCredited: 'Gutschrift gesamt',
  },
  tax: {
    exclusive: (name, base) => `${name} auf ${base}`,
    inclusive: (name) => `Enthaltene ${name}`,
    exempt: (reason) => `Keine Steuer berechnet: ${reason}`,
  },
  line: {
    tier: (i, from, upTo) => (upTo === null ? `Stufe ${i}: über ${from}` : `Stufe ${i}: ${from} bis ${upTo}`),
    proratedDays: (n, d) => `Anteilig: ${n} von ${d} Tagen`,
    proratedShare: (pct) => `Anteilig: ${pct} des Zeitraums`,
    unusedTimeCredit: 'Gutschrift für nicht genutzte Zeit',
    seats: (q) => `${q} Lizenzen`,
    lateUsage: (period, inv) =>
      inv === null
        ? `Nachträgliche Nutzung für ${period}`
        : `Nachträgliche Nutzung für ${period} (Korrektur zu Rechnung ${inv})`,
    coupon: (code, value) => `Gutschein ${code}: ${value}`,
    inAdvance: 'Im Voraus berechnet',
    chargedOn: (inv, charged) => `Berechnet mit Rechnung ${inv}: ${charged}`,
    partialCredit: 'Teilgutschrift',
  },
  payment: {
    heading: 'Zahlungshinweise',
    transfer: (ref, amount, due) =>
      `Bitte überweisen Sie ${amount} bis zum ${due} und geben Sie ${ref} als Verwendungszweck an.`,
    accountHolder: 'Kontoinhaber',
    iban: 'IBAN',
    bic: 'BIC',
    online: (url) => `Oder bezahlen Sie online: ${url}`,
    nothingToPay: 'Es ist nichts zu zahlen.',
  },
  rounding: (lines, tax) =>
    `Jede Position wird einmal auf die kleinste Währungseinheit gerundet (${lines}); die Steuer wird ${tax === 'per-line' ? 'je Position' : 'je Steuersatz einmal auf die Zwischensumme'} gerundet.`,
  roundingModes: {
    'half-up': 'kaufmännisch',
    'half-even': 'auf die gerade Ziffer',
    up: 'aufgerundet',
    down: 'abgerundet',
  },
  appendix: {
    calls: 'Einzelverbindungsnachweis',
    intervals: (meter, unit) => `Verbrauch je Intervall: ${meter}${unit ? ` (${unit})` : ''}`,
    callHeaders: ['Zeit', 'Ziel', 'Dauer (s)', 'Betrag'],
    intervalHeaders: ['Von', 'Bis', 'Menge'],
    records: (n) => `${n} Einträge`,
    truncated: (shown, total) =>
      `Aufgeführt sind die ersten ${shown} von ${total} Einträgen; die vollständige Liste erhalten Sie auf Anfrage.`,
  },
  page: (n, of) => `Seite ${n} von ${of}`,
  reference: (ref) => `Referenz: ${ref}`,
};

const fr: Messages = {
  title: {
    invoice: 'Facture',
    'credit-note': 'Avoir',
    receipt: 'Reçu de paiement',
    reminder: 'Rappel de paiement',
    'final-notice': 'Mise en demeure',
    suspended: 'Service suspendu',
    restored: 'Service rétabli',
  },
  subject: {
    invoice: (p) =>
      p.nothingDue
        ? `Facture ${p.number} de ${p.issuer}`
        : `Facture ${p.number} de ${p.issuer} : ${p.amountDue} à régler avant le ${p.dueDate}`,
    'credit-note': (p) => `Avoir ${p.creditNumber} sur la facture ${p.number}`,
    receipt: (p) => `Paiement reçu pour la facture ${p.number}, merci`,
    reminder: (p) => `Rappel : la facture ${p.number} est en retard de paiement`,
    'final-notice': (p) =>
      `Mise en demeure : la facture ${p.number} est impayée depuis ${p.daysOverdue} jours`,
    suspended: (p) => `Votre service ${p.issuer} a été suspendu`,
    restored: (p) => `Votre service ${p.issuer} a été rétabli`,
  },
  intro: {
    invoice: (p) =>
      p.nothingDue
        ? `veuillez trouver votre facture ${p.number} pour la période ${p.period}. Aucun paiement n'est dû.`
        : `veuillez trouver votre facture ${p.number} pour la période ${p.period}. Le montant dû est de ${p.amountDue}, à régler avant le ${p.dueDate}.`,
    'credit-note': (p) =>
      `nous avons émis l'avoir ${p.creditNumber} d'un montant de ${p.creditAmount} sur la facture ${p.number}. Motif : ${p.reason}.`,
    receipt: (p) =>
      `merci : nous avons bien reçu votre paiement de ${p.paidAmount} le ${p.paidOn} pour la facture ${p.number}.`,
    reminder: (p) =>
      `la facture ${p.number} d'un montant de ${p.amountDue} était payable le ${p.dueDate} et est en retard de ${p.daysOverdue} jours. Si vous avez déjà réglé, merci de ne pas tenir compte de ce rappel.`,
    'final-notice': (p) =>
      `la facture ${p.number} d'un montant de ${p.amountDue} est impayée depuis ${p.daysOverdue} jours. Sans paiement de votre part avant le ${p.suspendOn}, votre service sera suspendu.`,
    suspended: (p) =>
      `votre service a été suspendu le ${p.effectiveOn} car la facture ${p.number} d'un montant de ${p.amountDue} reste impayée. Il sera rétabli dès réception du paiement.`,
    restored: (p) => `votre service a été rétabli le ${p.effectiveOn}. Merci pour votre paiement.`,
  },
  greeting: () => 'Madame, Monsieur,',
  closing: 'Cordialement',
  attachmentNote: 'Le document est joint au format PDF.',
  questions: 'Une question sur cette facture ? Répondez simplement à cet e-mail.',
  labels: {
    invoiceNumber: 'Numéro de facture',
    creditNoteNumber: "Numéro d'avoir",
    issueDate: "Date d'émission",
    dueDate: "Date d'échéance",
    servicePeriod: 'Période de service',
    customerNumber: 'Numéro client',
    taxId: 'N° de TVA',
    billedTo: 'Facturé à',
    issuedBy: 'Émis par',
    description: 'Désignation',
    quantity: 'Quantité',
    unitPrice: 'Prix unitaire',
    amount: 'Montant',
    charges: 'Prestations',
    subtotal: 'Sous-total',
    discounts: 'Remises',
    credits: 'Crédit prépayé utilisé',
    total: 'Total',
    amountDue: 'Montant dû',
    creditBalance: 'Ajouté à votre solde créditeur',
    amountPaid: 'Montant payé',
    paymentDate: 'Date de paiement',
    paymentReference: 'Référence de paiement',
    reason: 'Motif',
    creditAmount: 'Montant crédité',
    daysOverdue: 'Jours de retard',
    suspensionDate: 'Date de suspension',
    effective: "Date d'effet",
    lines: 'Prestations',
    totals: 'Totaux',
    invoiceDate: 'Date de la facture',
    creditNoteDate: "Date de l'avoir",
    creditedLines: 'Prestations créditées',
    totalCredited: 'Total crédité',
  },
  tax: {
    exclusive: (name, base) => `${name} sur ${base}`,
    inclusive: (name) => `Dont ${name}`,
    exempt: (reason) => `Aucune taxe facturée : ${reason}`,
  },
  line: {
    tier: (i, from, upTo) =>
      upTo === null ? `Palier ${i} : au-delà de ${from}` : `Palier ${i} : de ${from} à ${upTo}`,
    proratedDays: (n, d) => `Au prorata : ${n} jours sur ${d}`,
    proratedShare: (pct) => `Au prorata : ${pct} de la période`,
    unusedTimeCredit: 'Crédit pour la période non utilisée',
    seats: (q) => `${q} licences`,
    lateUsage: (period, inv) =>
      inv === null
        ? `Consommation tardive pour ${period}`
        : `Consommation tardive pour ${period} (rectifie la facture ${inv})`,
    coupon: (code, value) => `Code promo ${code} : ${value}`,
    inAdvance: "Facturé d'avance",
    chargedOn: (inv, charged) => `Facturé sur la facture ${inv} : ${charged}`,
    partialCredit: 'Crédit partiel',
  },
  payment: {
    heading: 'Modalités de paiement',
    transfer: (ref, amount, due) =>
      `Merci de virer ${amount} avant le ${due} en indiquant la référence ${ref}.`,
    accountHolder: 'Titulaire du compte',
    iban: 'IBAN',
    bic: 'BIC',
    online: (url) => `Ou payez en ligne : ${url}`,
    nothingToPay: "Aucun paiement n'est dû.",
  },
  rounding: (lines, tax) =>
    `Chaque ligne est arrondie une fois à la plus petite unité de la devise (${lines}) ; la taxe est arrondie ${tax === 'per-line' ? 'ligne par ligne' : 'une fois par taux sur le sous-total'}.`,
  roundingModes: {
    'half-up': 'au plus proche',
    'half-even': 'au pair le plus proche',
    up: 'par excès',
    down: 'par défaut',
  },
  appendix: {
    calls: 'Détail des appels',
    intervals: (meter, unit) => `Consommation par intervalle : ${meter}${unit ? ` (${unit})` : ''}`,
    callHeaders: ['Heure', 'Destination', 'Durée (s)', 'Montant'],
    intervalHeaders: ['Du', 'Au', 'Quantité'],
    records: (n) => `${n} enregistrements`,
    truncated: (shown, total) =>
      `Seuls les ${shown} premiers enregistrements sur ${total} sont listés ; la liste complète est disponible sur demande.`,
  },
  page: (n, of) => `Page ${n} sur ${of}`,
  reference: (ref) => `Référence : ${ref}`,
};

const ja: Messages = {
  title: {
    invoice: '請求書',
    'credit-note': 'クレジットノート',
    receipt: '入金確認書',
    reminder: 'お支払いのお願い',
    'final-notice': '最終催告',
    suspended: 'サービス停止のお知らせ',
    restored: 'サービス再開のお知らせ',
  },
  subject: {
    invoice: (p) =>
      p.nothingDue
        ? `${p.issuer}より請求書 ${p.number} のご案内`
        : `${p.issuer}より請求書 ${p.number} のご案内（${p.amountDue}、お支払期限 ${p.dueDate}）`,
    'credit-note': (p) => `請求書 ${p.number} に対するクレジットノート ${p.creditNumber}`,
    receipt: (p) => `請求書 ${p.number} のご入金を確認しました`,
    reminder: (p) => `【お支払いのお願い】請求書 ${p.number} のお支払期限が過ぎています`,
    'final-notice': (p) => `【最終催告】請求書 ${p.number} のお支払いが${p.daysOverdue}日遅れています`,
    suspended: (p) => `${p.issuer}のサービスを停止しました`,
    restored: (p) => `${p.issuer}のサービスを再開しました`,
  },
  intro: {
    invoice: (p) =>
      p.nothingDue
        ? `${p.period}分の請求書 ${p.number} をお送りします。今回のお支払いはありません。`
        : `${p.period}分の請求書 ${p.number} をお送りします。ご請求金額は${p.amountDue}です。${p.dueDate}までにお支払いください。`,
    'credit-note': (p) =>
      `請求書 ${p.number} に対し、${p.creditAmount}のクレジットノート ${p.creditNumber} を発行しました。理由：${p.reason}`,
    receipt: (p) =>
      `${p.paidOn}に請求書 ${p.number} のお支払い${p.paidAmount}を確認しました。ありがとうございました。`,
    reminder: (p) =>
      `請求書 ${p.number}（${p.amountDue}）のお支払期限は${p.dueDate}でしたが、${p.daysOverdue}日経過しています。既にお支払い済みの場合は、本メールは破棄してください。`,
    'final-notice': (p) =>
      `請求書 ${p.number}（${p.amountDue}）のお支払いが${p.daysOverdue}日遅れています。${p.suspendOn}までにご入金が確認できない場合、サービスを停止いたします。`,
    suspended: (p) =>
      `請求書 ${p.number}（${p.amountDue}）が未払いのため、${p.effectiveOn}にサービスを停止しました。お支払いを確認次第、再開いたします。`,
    restored: (p) => `${p.effectiveOn}にサービスを再開しました。お支払いありがとうございました。`,
  },
  greeting: (name) => `${name} 御中`,
  closing: '今後ともよろしくお願いいたします。',
  attachmentNote: '書類をPDFで添付しています。',
  questions: 'ご不明な点は、このメールにご返信ください。',
  labels: {
    invoiceNumber: '請求書番号',
    creditNoteNumber: 'クレジットノート番号',
    issueDate: '発行日',
    dueDate: 'お支払期限',
    servicePeriod: 'ご利用期間',
    customerNumber: 'お客様番号',
    taxId: '登録番号',
    billedTo: '請求先',
    issuedBy: '発行者',
    description: '内容',
    quantity: '数量',
    unitPrice: '単価',
    amount: '金額',
    charges: 'ご利用料金',
    subtotal: '小計',
    discounts: '割引',
    credits: 'プリペイド残高の充当',
    total: '合計',
    amountDue: 'ご請求金額',
    creditBalance: 'クレジット残高に加算',
    amountPaid: 'お支払い金額',
    paymentDate: 'お支払日',
    paymentReference: 'お支払い参照番号',
    reason: '理由',
    creditAmount: 'クレジット金額',
    daysOverdue: '経過日数',
    suspensionDate: '停止予定日',
    effective: '実施日',
    lines: 'ご請求内容',
    totals: '合計金額',
    invoiceDate: '請求書発行日',
    creditNoteDate: 'クレジットノート発行日',
    creditedLines: 'クレジット内容',
    totalCredited: 'クレジット合計',
  },
  tax: {
    exclusive: (name, base) => `${name}（対象額 ${base}）`,
    inclusive: (name) => `内${name}`,
    exempt: (reason) => `非課税：${reason}`,
  },
  line: {
    tier: (i, from, upTo) => (upTo === null ? `第${i}段階：${from}超` : `第${i}段階：${from}〜${upTo}`),
    proratedDays: (n, d) => `日割り：${d}日中${n}日`,
    proratedShare: (pct) => `按分：期間の${pct}`,
    unusedTimeCredit: '未使用期間のクレジット',
    seats: (q) => `${q}ライセンス`,
    lateUsage: (period, inv) =>
      inv === null ? `${period}分の遅延計上` : `${period}分の遅延計上（請求書 ${inv} の訂正）`,
    coupon: (code, value) => `クーポン ${code}：${value}`,
    inAdvance: '前払い',
    chargedOn: (inv, charged) => `請求書 ${inv} での請求額：${charged}`,
    partialCredit: '一部クレジット',
  },
  payment: {
    heading: 'お支払い方法',
    transfer: (ref, amount, due) =>
      `${due}までに${amount}をお振り込みください。振込名義の前に ${ref} をご記入ください。`,
    accountHolder: '口座名義',
    iban: 'IBAN',
    bic: 'BIC',
    online: (url) => `オンラインでのお支払い：${url}`,
    nothingToPay: '今回のお支払いはありません。',
  },
  rounding: (lines, tax) =>
    `各明細は通貨の最小単位に一度だけ端数処理しています（${lines}）。税額は${tax === 'per-line' ? '明細ごと' : '税率ごとに小計に対して一度'}端数処理しています。`,
  roundingModes: { 'half-up': '四捨五入', 'half-even': '偶数丸め', up: '切り上げ', down: '切り捨て' },
  appendix: {
    calls: '通話明細',
    intervals: (meter, unit) => `時間帯別使用量：${meter}${unit ? `（${unit}）` : ''}`,
    callHeaders: ['日時', '通話先', '通話時間（秒）', '金額'],
    intervalHeaders: ['開始', '終了', '数量'],
    records: (n) => `${n}件`,
    truncated: (shown, total) =>
      `全${total}件のうち最初の${shown}件を記載しています。全件の明細はお問い合わせください。`,
  },
  page: (n, of) => `${n} / ${of} ページ`,
  reference: (ref) => `参照番号：${ref}`,
};

export const MESSAGES: { readonly [L in Language]: Messages } = { en, de, fr, ja };

/** The template language for a BCP 47 locale: its language if tally has templates for it, else English. */
export function languageOf(locale: string): Language {
  let lang: string;
  try {
    lang = new Intl.Locale(locale).language;
  } catch {
    return 'en';
  }
  return (LANGUAGES as readonly string[]).includes(lang) ? (lang as Language) : 'en';
}
