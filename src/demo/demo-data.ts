import type { DemoCoopWithProducts } from './demo-types';
import { MORE_DEMO_COOPS } from './demo-data-more';

export type { DemoCoop, DemoCoopWithProducts, DemoProductRow, DemoVariant } from './demo-types';


const FIRST_COOPS: DemoCoopWithProducts[] = [
  {
    slug: 'terre-di-puglia',
    name: 'Terre di Puglia',
    kind: 'agricultural',
    socialType: 'B',
    region: 'Puglia',
    town: 'Cerignola',
    story: {
      it: 'Coltiviamo terreni confiscati alle mafie tra Cerignola e il Tavoliere. Ogni raccolto dà lavoro a persone uscite dal carcere e a giovani del quartiere.',
      en: 'We farm land confiscated from the mafia between Cerignola and the Tavoliere plain. Every harvest employs people leaving prison and young people from the neighbourhood.',
    },
    impact: { members: 24, integrationWorkers: 11, trainingHours: 1800, supports: { it: 'Ogni acquisto paga una giornata di lavoro regolare nei campi.', en: 'Every purchase pays for a day of regular work in the fields.' } },
    shipping: { flatCents: 790, freeOverCents: 6900, pickup: true },
    products: [
      ['olio-evo-coratina', 'olive-oil', 'Olio extravergine Coratina', 'Coratina extra virgin olive oil', 'Olio fruttato intenso da sole olive Coratina, franto a freddo entro sei ore dalla raccolta.', 'An intensely fruity oil from Coratina olives only, cold-pressed within six hours of picking.', 1450, 4, 'bottle75cl', ['organic'], [], 40, ['olio', 'coratina', 'extravergine']],
      ['olio-evo-lattina-3l', 'olive-oil', 'Olio extravergine in lattina 3 l', 'Extra virgin olive oil, 3 l can', 'La scorta di casa: il nostro olio dell\'ultima campagna in latta da tre litri.', 'The pantry supply: our oil from the latest harvest in a three-litre can.', 4200, 4, 'can3l', ['organic'], [], 15, ['olio', 'scorta']],
      ['pomodori-pelati', 'preserves', 'Pomodori pelati', 'Peeled tomatoes', 'Pomodori lunghi raccolti a mano a fine luglio e messi in vaso lo stesso giorno.', 'Long tomatoes hand-picked in late July and jarred the same day.', 390, 4, 'jar500g', ['organic'], [], 120, ['pomodoro', 'conserva']],
      ['passata-di-pomodoro', 'preserves', 'Passata di pomodoro', 'Tomato passata', 'Passata densa e dolce, solo pomodoro e un pizzico di sale.', 'Thick, sweet passata: only tomato and a pinch of salt.', 350, 4, 'bottle75cl', ['organic'], [], 150, ['pomodoro', 'sugo']],
      ['taralli-olio', 'pasta-grains', 'Taralli all\'olio', 'Olive oil taralli', 'Taralli croccanti impastati con il nostro olio e vino bianco.', 'Crunchy taralli made with our own oil and white wine.', 320, 10, 'g250', [], [], 80, ['taralli', 'snack']],
      ['orecchiette-grano-arso', 'pasta-grains', 'Orecchiette di grano arso', 'Burnt-wheat orecchiette', 'Pasta trafilata al bronzo con farina di grano arso, come si faceva nel Tavoliere.', 'Bronze-drawn pasta from burnt-wheat flour, as it was made on the Tavoliere.', 420, 4, 'g500', [], [], 90, ['pasta', 'orecchiette']],
      ['cime-di-rapa', 'vegetables', 'Cime di rapa', 'Turnip tops', 'Cime di rapa tenere, raccolte il giorno prima della spedizione.', 'Tender turnip tops, picked the day before shipping.', 380, 4, 'kg', ['organic'], [11, 12, 1, 2, 3], 60, ['verdura', 'rapa']],
      ['carciofi-brindisini', 'vegetables', 'Carciofi brindisini', 'Brindisi artichokes', 'Carciofi senza spine, teneri e dal sapore dolce.', 'Spineless artichokes, tender and sweet.', 590, 4, 'kg', ['igp'], [1, 2, 3, 4], 35, ['carciofo']],
      ['uva-da-tavola', 'fruit', 'Uva da tavola Italia', 'Italia table grapes', 'Grappoli dorati dalla buccia sottile, coltivati senza diserbanti.', 'Golden bunches with thin skins, grown without weedkillers.', 450, 4, 'kg', ['organic'], [8, 9, 10], 50, ['uva', 'frutta']],
      ['mandorle-sgusciate', 'fruit', 'Mandorle sgusciate', 'Shelled almonds', 'Mandorle pugliesi sgusciate a mano, da mangiare o per i dolci.', 'Apulian almonds shelled by hand, to eat or bake with.', 890, 10, 'g500', ['organic'], [], 45, ['mandorle', 'frutta secca']],
    ],
  },
  {
    slug: 'le-api-di-valle',
    name: 'Le Api di Valle',
    kind: 'agricultural',
    socialType: 'A',
    region: 'Piemonte',
    town: 'Cuneo',
    story: {
      it: 'Apicoltura nomade nelle valli cuneesi. Formiamo ragazzi con disabilità intellettiva al lavoro in apiario e in laboratorio.',
      en: 'Nomadic beekeeping in the valleys around Cuneo. We train young people with intellectual disabilities to work in the apiary and the honey room.',
    },
    impact: { members: 12, integrationWorkers: 6, trainingHours: 950, supports: { it: 'Sostieni un percorso di formazione retribuito in apiario.', en: 'You support a paid training programme in the apiary.' } },
    shipping: { flatCents: 590, freeOverCents: 4500, pickup: false },
    products: [
      ['miele-di-castagno', 'honey', 'Miele di castagno', 'Chestnut honey', 'Scuro, amarognolo, intenso: il miele dei boschi delle nostre valli.', 'Dark, slightly bitter and intense: the honey of our valley woods.', 890, 10, 'jar500g', ['organic'], [], 70, ['miele', 'castagno']],
      ['miele-di-acacia', 'honey', 'Miele di acacia', 'Acacia honey', 'Chiaro e delicato, resta liquido a lungo. Perfetto per il tè.', 'Light and delicate, it stays runny for a long time. Perfect in tea.', 920, 10, 'jar500g', ['organic'], [], 65, ['miele', 'acacia']],
      ['miele-millefiori', 'honey', 'Miele millefiori di montagna', 'Mountain wildflower honey', 'Fioriture di alta quota, cremoso e profumato.', 'High-altitude blossoms, creamy and fragrant.', 780, 10, 'jar500g', [], [], 80, ['miele', 'millefiori']],
      ['miele-di-tiglio-250', 'honey', 'Miele di tiglio', 'Linden honey', 'Profumo balsamico e note di menta, in vasetto piccolo.', 'Balsamic scent with notes of mint, in a small jar.', 560, 10, 'jar250g', [], [], 40, ['miele', 'tiglio']],
      ['polline-fresco', 'honey', 'Polline di fiori', 'Flower pollen', 'Polline essiccato a bassa temperatura, da aggiungere allo yogurt.', 'Pollen dried at low temperature, to add to yoghurt.', 1150, 10, 'g250', [], [], 25, ['polline']],
      ['propoli-tintura', 'honey', 'Tintura di propoli', 'Propolis tincture', 'Estratto idroalcolico della propoli dei nostri alveari.', 'Hydroalcoholic extract of propolis from our hives.', 990, 22, 'piece', [], [], 30, ['propoli']],
      ['nocciole-tonda-gentile', 'fruit', 'Nocciole Tonda Gentile', 'Tonda Gentile hazelnuts', 'Nocciole delle Langhe tostate in piccoli lotti.', 'Langhe hazelnuts roasted in small batches.', 1290, 10, 'g500', ['igp'], [], 55, ['nocciole', 'frutta secca']],
      ['crema-nocciole-miele', 'preserves', 'Crema di nocciole e miele', 'Hazelnut and honey spread', 'Solo nocciole, miele e cacao: niente olio di palma.', 'Only hazelnuts, honey and cocoa: no palm oil.', 750, 10, 'jar250g', [], [], 60, ['crema', 'nocciole', 'spalmabile']],
      ['mele-renette', 'fruit', 'Mele renette', 'Renette apples', 'Mele antiche dal sapore acidulo, ottime cotte.', 'Heirloom apples with a tart taste, excellent cooked.', 320, 4, 'kg', ['organic'], [9, 10, 11, 12, 1, 2], 90, ['mele', 'frutta']],
      ['candele-cera-api', 'home-textiles', 'Candele in cera d\'api', 'Beeswax candles', 'Coppia di candele colate a mano con la cera dei nostri favi.', 'A pair of candles hand-poured from the wax of our combs.', 1400, 22, 'piece', ['handmade'], [], 20, ['candele', 'cera']],
    ],
  },
  {
    slug: 'caseificio-sociale-val-di-sole',
    name: 'Caseificio Sociale Val di Sole',
    kind: 'agricultural',
    socialType: 'none',
    region: 'Trentino-Alto Adige',
    town: 'Malè',
    story: {
      it: 'Trenta piccole stalle di montagna conferiscono il latte al nostro caseificio: così gli allevatori restano in valle.',
      en: 'Thirty small mountain farms bring their milk to our dairy, which keeps the farmers in the valley.',
    },
    impact: { members: 31, integrationWorkers: 0, trainingHours: 300, supports: { it: 'Un prezzo giusto del latte per le stalle di montagna.', en: 'A fair milk price for mountain farms.' } },
    shipping: { flatCents: 990, freeOverCents: 7900, pickup: true },
    products: [
      ['casolet-val-di-sole', 'cheese', 'Casolet della Val di Sole', 'Casolet from Val di Sole', 'Formaggio fresco a pasta morbida, presidio Slow Food.', 'A soft fresh cheese, a Slow Food presidium.', 1390, 4, 'kg', ['slow-food'], [], 25, ['formaggio', 'fresco']],
      ['trentingrana-24-mesi', 'cheese', 'Trentingrana 24 mesi', 'Trentingrana aged 24 months', 'Grana di montagna stagionato due anni, in pezzo da 500 g.', 'Mountain grana aged two years, in a 500 g piece.', 1250, 4, 'g500', ['dop'], [], 40, ['formaggio', 'grana']],
      ['burro-di-malga', 'cheese', 'Burro di malga', 'Alpine pasture butter', 'Burro d\'affioramento dal latte degli alpeggi estivi.', 'Cream-skimmed butter from summer pasture milk.', 690, 4, 'g250', [], [6, 7, 8, 9], 30, ['burro']],
      ['ricotta-affumicata', 'cheese', 'Ricotta affumicata', 'Smoked ricotta', 'Ricotta stagionata e affumicata con legno di faggio.', 'Ricotta aged and smoked over beech wood.', 580, 4, 'g250', [], [], 35, ['ricotta']],
      ['yogurt-intero', 'cheese', 'Yogurt intero di montagna', 'Whole mountain yoghurt', 'Yogurt cremoso da latte intero, senza addensanti.', 'Creamy whole-milk yoghurt with no thickeners.', 290, 4, 'jar500g', ['organic'], [], 50, ['yogurt']],
      ['mele-val-di-non', 'fruit', 'Mele Golden Val di Non', 'Val di Non Golden apples', 'Mele croccanti e succose dai frutteti dei soci.', 'Crisp, juicy apples from our members\' orchards.', 290, 4, 'kg', ['dop'], [9, 10, 11, 12, 1, 2, 3], 100, ['mele']],
      ['succo-di-mela', 'fruit', 'Succo di mela torbido', 'Cloudy apple juice', 'Solo mele spremute, non filtrato.', 'Pressed apples only, unfiltered.', 390, 10, 'l1', [], [], 70, ['succo', 'mele']],
      ['speck-di-montagna', 'preserves', 'Speck di montagna', 'Mountain speck', 'Speck affumicato e stagionato 22 settimane, trancio sottovuoto.', 'Speck smoked and aged 22 weeks, vacuum-packed piece.', 1590, 10, 'g500', ['igp'], [], 20, ['speck', 'salumi']],
      ['patate-di-montagna', 'vegetables', 'Patate di montagna', 'Mountain potatoes', 'Patate a pasta gialla coltivate sopra i mille metri.', 'Yellow potatoes grown above a thousand metres.', 220, 4, 'kg', [], [8, 9, 10, 11, 12], 150, ['patate', 'verdura']],
      ['vino-teroldego', 'wine', 'Teroldego Rotaliano', 'Teroldego Rotaliano', 'Rosso morbido e fruttato della Piana Rotaliana.', 'A soft, fruity red from the Rotaliana plain.', 1350, 22, 'bottle75cl', ['doc'], [], 48, ['vino', 'rosso']],
    ],
  },
  {
    slug: 'sartoria-san-vittore',
    name: 'Sartoria San Vittore',
    kind: 'craft',
    socialType: 'B',
    region: 'Lombardia',
    town: 'Milano',
    story: {
      it: 'Il laboratorio di sartoria nato dentro il carcere di San Vittore. Le detenute imparano un mestiere e ricevono uno stipendio.',
      en: 'The tailoring workshop born inside San Vittore prison. The women inmates learn a trade and earn a wage.',
    },
    impact: { members: 18, integrationWorkers: 14, trainingHours: 4200, supports: { it: 'Ogni capo finanzia ore di formazione sartoriale retribuita.', en: 'Every garment funds hours of paid tailoring training.' } },
    shipping: { flatCents: 690, freeOverCents: 8000, pickup: false },
    products: [
      ['camicia-lino-bianca', 'clothing', 'Camicia in lino', 'Linen shirt', 'Camicia in puro lino cucita a mano, colletto alla coreana.', 'A pure linen shirt sewn by hand, with a band collar.', 7900, 22, 'piece', ['handmade'], [], 0, ['camicia', 'lino']],
      ['grembiule-da-cucina', 'home-textiles', 'Grembiule da cucina', 'Kitchen apron', 'Grembiule in tela di cotone robusta con tasca frontale.', 'A sturdy cotton canvas apron with a front pocket.', 3200, 22, 'piece', ['handmade'], [], 25, ['grembiule', 'cucina']],
      ['borsa-tote-tela', 'bags-accessories', 'Borsa tote in tela', 'Canvas tote bag', 'Tote capiente in tela riciclata, manici rinforzati.', 'A roomy tote in recycled canvas with reinforced handles.', 2800, 22, 'piece', ['handmade'], [], 30, ['borsa', 'tote']],
      ['pochette-seta', 'bags-accessories', 'Pochette in seta', 'Silk clutch', 'Pochette ricavata da scampoli di seta di Como.', 'A clutch made from offcuts of Como silk.', 4500, 22, 'piece', ['handmade'], [], 12, ['pochette', 'seta']],
      ['foulard-stampato', 'bags-accessories', 'Foulard stampato a mano', 'Hand-printed scarf', 'Foulard in cotone stampato a blocchi di legno.', 'A cotton scarf block-printed with wooden blocks.', 3900, 22, 'piece', ['handmade'], [], 18, ['foulard', 'sciarpa']],
      ['runner-tavola', 'home-textiles', 'Runner da tavola', 'Table runner', 'Runner in lino lavato con orlo a giorno.', 'A washed linen runner with a drawn-thread hem.', 3500, 22, 'piece', ['handmade'], [], 15, ['tavola', 'lino']],
      ['cuscino-patchwork', 'home-textiles', 'Cuscino patchwork', 'Patchwork cushion', 'Fodera di cuscino composta con tessuti di recupero.', 'A cushion cover pieced from reclaimed fabrics.', 2900, 22, 'piece', ['handmade'], [], 20, ['cuscino']],
      ['astuccio-matite', 'bags-accessories', 'Astuccio', 'Pencil case', 'Astuccio con zip in tela cerata.', 'A zipped pencil case in waxed canvas.', 1500, 22, 'piece', ['handmade'], [], 40, ['astuccio', 'scuola']],
      ['gilet-lana', 'clothing', 'Gilet in lana', 'Wool waistcoat', 'Gilet sfoderato in lana cotta, bottoni in corozo.', 'An unlined boiled-wool waistcoat with corozo buttons.', 8900, 22, 'piece', ['handmade'], [], 0, ['gilet', 'lana']],
      ['tovagliette-set', 'home-textiles', 'Set di 4 tovagliette', 'Set of 4 placemats', 'Tovagliette americane in cotone spalmato, lavabili.', 'Wipe-clean coated cotton placemats.', 2400, 22, 'piece', [], [], 22, ['tovagliette', 'tavola']],
    ],
    variants: {
      'camicia-lino-bianca': [
        { sku: 'S-white', it: 'S, bianco', en: 'S, white', size: 'S', colour: 'bianco', priceCents: 7900, stock: 5 },
        { sku: 'M-white', it: 'M, bianco', en: 'M, white', size: 'M', colour: 'bianco', priceCents: 7900, stock: 8 },
        { sku: 'L-white', it: 'L, bianco', en: 'L, white', size: 'L', colour: 'bianco', priceCents: 7900, stock: 6 },
        { sku: 'M-blue', it: 'M, azzurro', en: 'M, light blue', size: 'M', colour: 'azzurro', priceCents: 8200, stock: 4 },
      ],
      'gilet-lana': [
        { sku: 'M-grey', it: 'M, grigio', en: 'M, grey', size: 'M', colour: 'grigio', priceCents: 8900, stock: 3 },
        { sku: 'L-grey', it: 'L, grigio', en: 'L, grey', size: 'L', colour: 'grigio', priceCents: 8900, stock: 2 },
      ],
    },
  },
  {
    slug: 'ceramiche-la-fornace',
    name: 'Ceramiche La Fornace',
    kind: 'craft',
    socialType: 'A',
    region: 'Umbria',
    town: 'Deruta',
    story: {
      it: 'Un laboratorio di ceramica di Deruta dove persone con disagio psichico dipingono maioliche secondo la tradizione.',
      en: 'A Deruta pottery workshop where people living with mental illness paint majolica in the traditional way.',
    },
    impact: { members: 15, integrationWorkers: 9, trainingHours: 2600, supports: { it: 'Il tuo acquisto sostiene il laboratorio terapeutico.', en: 'Your purchase supports the therapeutic workshop.' } },
    shipping: { flatCents: 1190, freeOverCents: 9000, pickup: true },
    products: [
      ['piatto-raffaellesco', 'ceramics', 'Piatto raffaellesco', 'Raffaellesco plate', 'Piatto decorativo dipinto a mano con il motivo del drago.', 'A decorative plate hand-painted with the dragon motif.', 6500, 22, 'piece', ['handmade'], [], 8, ['piatto', 'maiolica']],
      ['tazza-colazione', 'ceramics', 'Tazza da colazione', 'Breakfast mug', 'Tazza grande in maiolica blu e gialla.', 'A large blue and yellow majolica mug.', 2200, 22, 'piece', ['handmade'], [], 30, ['tazza']],
      ['ciotola-insalata', 'ceramics', 'Insalatiera', 'Salad bowl', 'Insalatiera da 28 cm con decoro a limoni.', 'A 28 cm salad bowl with a lemon pattern.', 5400, 22, 'piece', ['handmade'], [], 10, ['ciotola', 'insalatiera']],
      ['set-piatti-piani', 'ceramics', 'Set di 6 piatti piani', 'Set of 6 dinner plates', 'Servizio in terracotta smaltata color salvia.', 'Sage-glazed earthenware dinner set.', 11900, 22, 'piece', ['handmade'], [], 5, ['piatti', 'servizio']],
      ['vaso-anfora', 'ceramics', 'Vaso ad anfora', 'Amphora vase', 'Vaso alto 35 cm, decoro a girali.', 'A 35 cm tall vase with a scroll pattern.', 8900, 22, 'piece', ['handmade'], [], 4, ['vaso']],
      ['portauova', 'ceramics', 'Portauovo', 'Egg cup', 'Coppia di portauovo dipinti a mano.', 'A pair of hand-painted egg cups.', 1800, 22, 'piece', ['handmade'], [], 25, ['colazione']],
      ['oliera-ceramica', 'ceramics', 'Oliera in ceramica', 'Ceramic oil cruet', 'Oliera salvagoccia con beccuccio.', 'A drip-free oil cruet with a spout.', 3200, 22, 'piece', ['handmade'], [], 14, ['oliera', 'olio']],
      ['mattonella-numero', 'ceramics', 'Numero civico in maiolica', 'Majolica house number', 'Mattonella 15×15 cm con il numero che scegli.', 'A 15×15 cm tile with the number you choose.', 2500, 22, 'piece', ['handmade'], [], 50, ['mattonella', 'casa']],
      ['tagliere-ulivo', 'wood', 'Tagliere in ulivo', 'Olive wood board', 'Tagliere ricavato da rami potati di ulivo umbro.', 'A board made from pruned Umbrian olive branches.', 3900, 22, 'piece', ['handmade'], [], 12, ['tagliere', 'ulivo']],
      ['cucchiai-legno', 'wood', 'Set di cucchiai in legno', 'Wooden spoon set', 'Tre cucchiai intagliati a mano in legno di ciliegio.', 'Three spoons hand-carved from cherry wood.', 2700, 22, 'piece', ['handmade'], [], 20, ['cucchiai', 'cucina']],
    ],
  },
  {
    slug: 'telai-di-sardegna',
    name: 'Telai di Sardegna',
    kind: 'craft',
    socialType: 'none',
    region: 'Sardegna',
    town: 'Samugheo',
    story: {
      it: 'Tessitrici di Samugheo che lavorano ancora al telaio a mano: teniamo viva la tessitura sarda e il lavoro delle donne nel paese.',
      en: 'Weavers in Samugheo who still work on hand looms: we keep Sardinian weaving, and women\'s work in the village, alive.',
    },
    impact: { members: 9, integrationWorkers: 2, trainingHours: 700, supports: { it: 'Sostieni le scuole di tessitura per le ragazze del paese.', en: 'You support weaving classes for girls in the village.' } },
    shipping: { flatCents: 890, freeOverCents: 10000, pickup: false },
    products: [
      ['tappeto-pibiones', 'home-textiles', 'Tappeto a pibiones', 'Pibiones rug', 'Tappeto in lana tessuto a mano con la tecnica a grani.', 'A wool rug hand-woven with the raised-grain technique.', 24000, 22, 'piece', ['handmade'], [], 3, ['tappeto', 'lana']],
      ['copriletto-lino', 'home-textiles', 'Copriletto in lino', 'Linen bedspread', 'Copriletto matrimoniale in lino e cotone, motivi tradizionali.', 'A double linen-and-cotton bedspread with traditional motifs.', 19000, 22, 'piece', ['handmade'], [], 4, ['copriletto']],
      ['asciugamani-ospite', 'home-textiles', 'Coppia di asciugamani', 'Pair of guest towels', 'Asciugamani in lino a nido d\'ape.', 'Honeycomb-weave linen guest towels.', 4800, 22, 'piece', ['handmade'], [], 15, ['asciugamani', 'bagno']],
      ['bisaccia-lana', 'bags-accessories', 'Bisaccia sarda', 'Sardinian saddlebag', 'La borsa doppia dei pastori, in lana tessuta.', 'The shepherds\' double bag, in woven wool.', 9500, 22, 'piece', ['handmade'], [], 6, ['borsa', 'bisaccia']],
      ['sciarpa-orbace', 'clothing', 'Sciarpa in orbace', 'Orbace wool scarf', 'Sciarpa in orbace, la lana follata sarda, caldissima.', 'A scarf in orbace, the felted Sardinian wool, very warm.', 5900, 22, 'piece', ['handmade'], [10, 11, 12, 1, 2], 10, ['sciarpa', 'lana']],
      ['cuscino-tessuto', 'home-textiles', 'Cuscino tessuto a mano', 'Hand-woven cushion', 'Cuscino 45×45 cm con motivo a melograni.', 'A 45×45 cm cushion with a pomegranate motif.', 6500, 22, 'piece', ['handmade'], [], 9, ['cuscino']],
      ['centrotavola-fiori', 'home-textiles', 'Centrotavola ricamato', 'Embroidered centrepiece', 'Centrotavola in lino con ricamo a punto antico.', 'A linen centrepiece with old-stitch embroidery.', 3800, 22, 'piece', ['handmade'], [], 11, ['centrotavola', 'ricamo']],
      ['borsa-shopping-tessuta', 'bags-accessories', 'Borsa da spesa tessuta', 'Woven shopping bag', 'Borsa robusta in cotone tessuto al telaio.', 'A sturdy loom-woven cotton shopping bag.', 3400, 22, 'piece', ['handmade'], [], 16, ['borsa', 'spesa']],
      ['scialle-lana', 'clothing', 'Scialle in lana merino', 'Merino wool shawl', 'Scialle leggero in merino sardo, tinto con erbe.', 'A light shawl in Sardinian merino, dyed with herbs.', 7200, 22, 'piece', ['handmade'], [], 7, ['scialle', 'lana']],
      ['cestino-asfodelo', 'wood', 'Cestino in asfodelo', 'Asphodel basket', 'Cestino intrecciato a mano con fibre di asfodelo.', 'A basket hand-woven from asphodel fibres.', 4600, 22, 'piece', ['handmade'], [], 8, ['cestino', 'intreccio']],
    ],
  },
];

/** Every demo co-op: the first six here, seven more in demo-data-more.ts. */
export const DEMO_COOPS: DemoCoopWithProducts[] = [...FIRST_COOPS, ...MORE_DEMO_COOPS];

export const DEMO_ADMIN = { email: 'admin@filiera.test', password: 'filiera-admin-2026', name: 'Anna Amministratrice' };
export const DEMO_MEMBER = { email: 'socia@filiera.test', password: 'filiera-socia-2026', name: 'Marta Socia', coop: 'terre-di-puglia' };
export const DEMO_BUYER = { email: 'cliente@filiera.test', password: 'filiera-cliente-2026', name: 'Luca Cliente' };
