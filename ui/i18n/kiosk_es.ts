<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="es">
<context>
    <name>AdminActionScreen</name>
    <message>
        <location filename="../qml/AdminActionScreen.qml" line="42" />
        <location filename="../qml/AdminActionScreen.qml" line="64" />
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location filename="../qml/AdminActionScreen.qml" line="76" />
        <source>Why is the provider out?</source>
        <translation>¿Por qué está ausente?</translation>
    </message>
    <message>
        <location filename="../qml/AdminActionScreen.qml" line="83" />
        <source>Sick</source>
        <translation>Enfermedad</translation>
    </message>
    <message>
        <location filename="../qml/AdminActionScreen.qml" line="83" />
        <source>Emergency</source>
        <translation>Emergencia</translation>
    </message>
    <message>
        <location filename="../qml/AdminActionScreen.qml" line="83" />
        <source>Other</source>
        <translation>Otro motivo</translation>
    </message>
    <message>
        <location filename="../qml/AdminActionScreen.qml" line="147" />
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <location filename="../qml/AdminActionScreen.qml" line="156" />
        <source>Review the change</source>
        <translation>Revisar el cambio</translation>
    </message>
</context>
<context>
    <name>AdminBar</name>
    <message>
        <location filename="../qml/AdminBar.qml" line="51" />
        <source>Sign out</source>
        <translation>Cerrar sesión</translation>
    </message>
</context>
<context>
    <name>AdminConfirmScreen</name>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="13" />
        <source>The change could not be saved. Try again, or call the technician.</source>
        <translation>No se pudo guardar el cambio. Inténtelo de nuevo o llame al técnico.</translation>
    </message>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="14" />
        <source>A supervisor must approve this change.</source>
        <translation>Un supervisor debe aprobar este cambio.</translation>
    </message>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="15" />
        <source>You may not make this change (%1).</source>
        <translation>No puede hacer este cambio (%1).</translation>
    </message>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="27" />
        <source>Confirm the change</source>
        <translation>Confirmar el cambio</translation>
    </message>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="41" />
        <source>%1 appointment affected</source>
        <translation>%1 cita afectada</translation>
    </message>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="41" />
        <source>%1 appointments affected</source>
        <translation>%1 citas afectadas</translation>
    </message>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="41" />
        <source>%1 patient already checked in</source>
        <translation>%1 paciente ya registrado</translation>
    </message>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="41" />
        <source>%1 patients already checked in</source>
        <translation>%1 pacientes ya registrados</translation>
    </message>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="41" />
        <source>%1 on their way (arrival window open)</source>
        <translation>%1 en camino (ventana de llegada abierta)</translation>
    </message>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="60" />
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="69" />
        <source>Supervisor approval</source>
        <translation>Aprobación del supervisor</translation>
    </message>
    <message>
        <location filename="../qml/AdminConfirmScreen.qml" line="69" />
        <source>Send the change</source>
        <translation>Enviar el cambio</translation>
    </message>
</context>
<context>
    <name>AdminLockedScreen</name>
    <message>
        <location filename="../qml/AdminLockedScreen.qml" line="24" />
        <source>Staff sign-in is locked</source>
        <translation>El acceso del personal está bloqueado</translation>
    </message>
    <message>
        <location filename="../qml/AdminLockedScreen.qml" line="29" />
        <source>Too many wrong PINs. Try again in %1.</source>
        <translation>Demasiados PIN incorrectos. Inténtelo de nuevo en %1.</translation>
    </message>
    <message>
        <location filename="../qml/AdminLockedScreen.qml" line="35" />
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
</context>
<context>
    <name>AdminNoticesScreen</name>
    <message>
        <location filename="../qml/AdminNoticesScreen.qml" line="14" />
        <source>No open notices.</source>
        <translation>No hay avisos pendientes.</translation>
    </message>
    <message>
        <location filename="../qml/AdminNoticesScreen.qml" line="56" />
        <source>Acknowledge</source>
        <translation>Confirmar lectura</translation>
    </message>
    <message>
        <location filename="../qml/AdminNoticesScreen.qml" line="65" />
        <source>A supervisor acknowledges this.</source>
        <translation>Lo confirma un supervisor.</translation>
    </message>
</context>
<context>
    <name>AdminPinScreen</name>
    <message>
        <location filename="../qml/AdminPinScreen.qml" line="70" />
        <source>Checking…</source>
        <translation>Comprobando…</translation>
    </message>
    <message>
        <location filename="../qml/AdminPinScreen.qml" line="12" />
        <source>Wrong PIN. Try again.</source>
        <translation>PIN incorrecto. Inténtelo de nuevo.</translation>
    </message>
    <message>
        <location filename="../qml/AdminPinScreen.qml" line="13" />
        <source>That is not a supervisor's PIN.</source>
        <translation>Ese no es el PIN de un supervisor.</translation>
    </message>
    <message>
        <location filename="../qml/AdminPinScreen.qml" line="14" />
        <source>That badge is not known here.</source>
        <translation>Esa tarjeta no se conoce aquí.</translation>
    </message>
    <message>
        <location filename="../qml/AdminPinScreen.qml" line="15" />
        <source>%1: enter your PIN to approve</source>
        <translation>%1: introduzca su PIN para aprobar</translation>
    </message>
    <message>
        <location filename="../qml/AdminPinScreen.qml" line="16" />
        <source>%1: enter your PIN</source>
        <translation>%1: introduzca su PIN</translation>
    </message>
    <message>
        <location filename="../qml/AdminPinScreen.qml" line="31" />
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <location filename="../qml/AdminPinScreen.qml" line="70" />
        <source>Approve</source>
        <translation>Aprobar</translation>
    </message>
    <message>
        <location filename="../qml/AdminPinScreen.qml" line="70" />
        <source>Sign in</source>
        <translation>Entrar</translation>
    </message>
</context>
<context>
    <name>AdminProvidersScreen</name>
    <message>
        <location filename="../qml/AdminProvidersScreen.qml" line="51" />
        <source>Running late</source>
        <translation>Con retraso</translation>
    </message>
    <message>
        <location filename="../qml/AdminProvidersScreen.qml" line="51" />
        <source>Out today</source>
        <translation>Ausente hoy</translation>
    </message>
    <message>
        <location filename="../qml/AdminProvidersScreen.qml" line="52" />
        <source>Leaving early</source>
        <translation>Sale temprano</translation>
    </message>
    <message>
        <location filename="../qml/AdminProvidersScreen.qml" line="52" />
        <source>Back on schedule</source>
        <translation>De vuelta a horario</translation>
    </message>
</context>
<context>
    <name>AdminRequestsScreen</name>
    <message>
        <location filename="../qml/AdminRequestsScreen.qml" line="14" />
        <source>Applied by the hub</source>
        <translation>Aplicado por el servidor</translation>
    </message>
    <message>
        <location filename="../qml/AdminRequestsScreen.qml" line="15" />
        <source>Rejected by the hub</source>
        <translation>Rechazado por el servidor</translation>
    </message>
    <message>
        <location filename="../qml/AdminRequestsScreen.qml" line="16" />
        <source>Waiting for the hub</source>
        <translation>Esperando al servidor</translation>
    </message>
    <message>
        <location filename="../qml/AdminRequestsScreen.qml" line="24" />
        <source>No changes sent yet.</source>
        <translation>Aún no se ha enviado ningún cambio.</translation>
    </message>
    <message>
        <location filename="../qml/AdminRequestsScreen.qml" line="59" />
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../qml/AdminRequestsScreen.qml" line="68" />
        <source>Shown on: %1</source>
        <translation>Se muestra en: %1</translation>
    </message>
    <message>
        <location filename="../qml/AdminRequestsScreen.qml" line="69" />
        <source>Not shown on any kiosk yet</source>
        <translation>Aún no se muestra en ningún quiosco</translation>
    </message>
    <message>
        <location filename="../qml/AdminRequestsScreen.qml" line="77" />
        <source>Not yet shown on: %1</source>
        <translation>Aún no se muestra en: %1</translation>
    </message>
</context>
<context>
    <name>AdminTechScreen</name>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="13" />
        <source>OK</source>
        <translation>Correcto</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="14" />
        <source>missing</source>
        <translation>no encontrado</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="15" />
        <source>error</source>
        <translation>error</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="18" />
        <source>Cache: never in step with the hub</source>
        <translation>Caché: nunca sincronizada con el servidor</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="19" />
        <source>Cache: current</source>
        <translation>Caché: al día</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="20" />
        <source>Cache: %1 min old</source>
        <translation>Caché: de hace %1 min</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="42" />
        <source>Devices</source>
        <translation>Dispositivos</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="61" />
        <source>No devices configured</source>
        <translation>No hay dispositivos configurados</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="68" />
        <source>Sync</source>
        <translation>Sincronización</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="75" />
        <source>Sync loop not answering</source>
        <translation>La sincronización no responde</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="76" />
        <source>Broker: connected</source>
        <translation>Broker: conectado</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="76" />
        <source>Broker: not connected</source>
        <translation>Broker: sin conexión</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="84" />
        <source>Hub: live</source>
        <translation>Servidor: en línea</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="84" />
        <source>Hub: not live</source>
        <translation>Servidor: sin conexión</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="98" />
        <source>Outbox: %1 waiting</source>
        <translation>Bandeja de salida: %1 en espera</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="141" />
        <source>The restart command failed. See the log.</source>
        <translation>El reinicio falló. Consulte el registro.</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="150" />
        <source>Restart kiosk service</source>
        <translation>Reiniciar el servicio del quiosco</translation>
    </message>
    <message>
        <location filename="../qml/AdminTechScreen.qml" line="157" />
        <source>Exit to desktop</source>
        <translation>Salir al escritorio</translation>
    </message>
</context>
<context>
    <name>AdminWhoScreen</name>
    <message>
        <location filename="../qml/AdminWhoScreen.qml" line="27" />
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <location filename="../qml/AdminWhoScreen.qml" line="27" />
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location filename="../qml/AdminWhoScreen.qml" line="36" />
        <source>That badge is not known here.</source>
        <translation>Esa tarjeta no se conoce aquí.</translation>
    </message>
    <message>
        <location filename="../qml/AdminWhoScreen.qml" line="36" />
        <source>Supervisor: tap your name to approve</source>
        <translation>Supervisor: toque su nombre para aprobar</translation>
    </message>
    <message>
        <location filename="../qml/AdminWhoScreen.qml" line="37" />
        <source>Staff: tap your name, or tap your badge</source>
        <translation>Personal: toque su nombre o acerque su tarjeta</translation>
    </message>
</context>
<context>
    <name>AdminWords</name>
    <message>
        <location filename="../qml/AdminWords.qml" line="7" />
        <source>Running %1 min late</source>
        <translation>Con %1 min de retraso</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="8" />
        <source>Leaves early at %1</source>
        <translation>Sale temprano a las %1</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="9" />
        <source>Out today</source>
        <translation>Ausente hoy</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="10" />
        <source>On time</source>
        <translation>A tiempo</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="13" />
        <source>%1 running %2 minutes late</source>
        <translation>%1 con %2 minutos de retraso</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="14" />
        <source>%1 leaving early at %2</source>
        <translation>%1 sale temprano a las %2</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="15" />
        <source>%1 out today</source>
        <translation>%1 ausente hoy</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="16" />
        <source>%1 back on schedule</source>
        <translation>%1 de vuelta a horario</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="19" />
        <source>Supervisor</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="20" />
        <location filename="../qml/AdminWords.qml" line="26" />
        <source>Technician</source>
        <translation>Técnico</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="21" />
        <source>Front desk</source>
        <translation>Recepción</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="24" />
        <source>Requests</source>
        <translation>Solicitudes</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="25" />
        <source>Notices (%1)</source>
        <translation>Avisos (%1)</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="25" />
        <source>Notices</source>
        <translation>Avisos</translation>
    </message>
    <message>
        <location filename="../qml/AdminWords.qml" line="27" />
        <source>Providers</source>
        <translation>Médicos</translation>
    </message>
</context>
<context>
    <name>AttractScreen</name>
    <message>
        <location filename="../qml/AttractScreen.qml" line="11" />
        <source>Running %1 min late</source>
        <translation>Con %1 min de retraso</translation>
    </message>
    <message>
        <location filename="../qml/AttractScreen.qml" line="12" />
        <source>Leaves early at %1</source>
        <translation>Sale temprano a las %1</translation>
    </message>
    <message>
        <location filename="../qml/AttractScreen.qml" line="13" />
        <source>Out today</source>
        <translation>Ausente hoy</translation>
    </message>
    <message>
        <location filename="../qml/AttractScreen.qml" line="14" />
        <source>On time</source>
        <translation>A tiempo</translation>
    </message>
    <message>
        <location filename="../qml/AttractScreen.qml" line="34" />
        <source>Providers today</source>
        <translation>Médicos de hoy</translation>
    </message>
    <message>
        <location filename="../qml/AttractScreen.qml" line="81" />
        <source>The schedule has not arrived yet.</source>
        <translation>La agenda aún no ha llegado.</translation>
    </message>
    <message>
        <location filename="../qml/AttractScreen.qml" line="90" />
        <source>The schedule may be out of date. Please ask the front desk about wait times.</source>
        <translation>Es posible que la agenda no esté al día. Pregunte en recepción por los tiempos de espera.</translation>
    </message>
    <message>
        <location filename="../qml/AttractScreen.qml" line="91" />
        <source>Schedule last updated %1 minutes ago. Please ask the front desk about wait times.</source>
        <translation>Agenda actualizada hace %1 minutos. Pregunte en recepción por los tiempos de espera.</translation>
    </message>
    <message>
        <location filename="../qml/AttractScreen.qml" line="97" />
        <source>Touch here to check in</source>
        <translation>Toque aquí para registrarse</translation>
    </message>
    <message>
        <location filename="../qml/AttractScreen.qml" line="1" />
        <source>Page %1 of %2</source>
        <translation>Página %1 de %2</translation>
    </message>
</context>
<context>
    <name>CodeScreen</name>
    <message>
        <location filename="../qml/CodeScreen.qml" line="6" />
        <source>Your confirmation code</source>
        <translation>Su código de confirmación</translation>
    </message>
</context>
<context>
    <name>ConfirmScreen</name>
    <message>
        <location filename="../qml/ConfirmScreen.qml" line="17" />
        <source>Is this you?</source>
        <translation>¿Es usted?</translation>
    </message>
    <message>
        <location filename="../qml/ConfirmScreen.qml" line="41" />
        <source>Appointment at %1 with %2</source>
        <translation>Cita a las %1 con %2</translation>
    </message>
    <message>
        <location filename="../qml/ConfirmScreen.qml" line="54" />
        <source>No, that is not me</source>
        <translation>No, no soy yo</translation>
    </message>
    <message>
        <location filename="../qml/ConfirmScreen.qml" line="62" />
        <source>Yes, check me in</source>
        <translation>Sí, registrarme</translation>
    </message>
</context>
<context>
    <name>CountdownOverlay</name>
    <message>
        <location filename="../qml/CountdownOverlay.qml" line="35" />
        <source>Are you still there?</source>
        <translation>¿Sigue ahí?</translation>
    </message>
    <message>
        <location filename="../qml/CountdownOverlay.qml" line="41" />
        <source>Starting over in %1 seconds.</source>
        <translation>Volvemos al inicio en %1 segundos.</translation>
    </message>
    <message>
        <location filename="../qml/CountdownOverlay.qml" line="47" />
        <source>I am still here</source>
        <translation>Sigo aquí</translation>
    </message>
</context>
<context>
    <name>DobScreen</name>
    <message>
        <location filename="../qml/DobScreen.qml" line="6" />
        <source>Your date of birth</source>
        <translation>Su fecha de nacimiento</translation>
    </message>
    <message>
        <location filename="../qml/DobScreen.qml" line="7" />
        <source>MM/DD/YYYY</source>
        <translation>MM/DD/AAAA</translation>
    </message>
</context>
<context>
    <name>DoneScreen</name>
    <message>
        <location filename="../qml/DoneScreen.qml" line="11" />
        <source>Thank you, %1. Please have a seat.</source>
        <translation>Gracias, %1. Por favor, tome asiento.</translation>
    </message>
    <message>
        <location filename="../qml/DoneScreen.qml" line="12" />
        <source>Thank you, %1. See you soon.</source>
        <translation>Gracias, %1. Hasta pronto.</translation>
    </message>
    <message>
        <location filename="../qml/DoneScreen.qml" line="13" />
        <source>Your request was sent.</source>
        <translation>Su solicitud fue enviada.</translation>
    </message>
    <message>
        <location filename="../qml/DoneScreen.qml" line="14" />
        <source>Please go to the front desk.</source>
        <translation>Por favor, pase a recepción.</translation>
    </message>
    <message>
        <location filename="../qml/DoneScreen.qml" line="17" />
        <source>We expect to see you around %1.</source>
        <translation>Esperamos atenderle hacia las %1.</translation>
    </message>
    <message>
        <location filename="../qml/DoneScreen.qml" line="18" />
        <source>Please come back by %1. The front desk knows you were here.</source>
        <translation>Vuelva antes de las %1. En recepción saben que vino.</translation>
    </message>
    <message>
        <location filename="../qml/DoneScreen.qml" line="19" />
        <source>The front desk will contact you to find a new time.</source>
        <translation>Recepción le contactará para buscar otra hora.</translation>
    </message>
    <message>
        <location filename="../qml/DoneScreen.qml" line="20" />
        <source>They will arrange your visit with %1 today.</source>
        <translation>Le organizarán la consulta con %1 hoy.</translation>
    </message>
    <message>
        <location filename="../qml/DoneScreen.qml" line="21" />
        <source>They know you are here and will help you.</source>
        <translation>Saben que está aquí y le ayudarán.</translation>
    </message>
    <message>
        <location filename="../qml/DoneScreen.qml" line="46" />
        <source>Done</source>
        <translation>Listo</translation>
    </message>
</context>
<context>
    <name>EntryScreen</name>
    <message>
        <location filename="../qml/EntryScreen.qml" line="26" />
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <location filename="../qml/EntryScreen.qml" line="65" />
        <source>Continue</source>
        <translation>Seguir</translation>
    </message>
</context>
<context>
    <name>LettersScreen</name>
    <message>
        <location filename="../qml/LettersScreen.qml" line="6" />
        <source>First 3 letters of your last name</source>
        <translation>3 primeras letras de su apellido</translation>
    </message>
</context>
<context>
    <name>MessageScreen</name>
    <message>
        <location filename="../qml/MessageScreen.qml" line="13" />
        <source>We could not find your appointment.</source>
        <translation>No encontramos su cita.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="14" />
        <source>Your appointment is not today.</source>
        <translation>Su cita no es hoy.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="15" />
        <source>You are early!</source>
        <translation>¡Llegó temprano!</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="16" />
        <source>Your appointment time has passed.</source>
        <translation>La hora de su cita ya pasó.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="17" />
        <source>You are already checked in.</source>
        <translation>Ya está registrado.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="18" />
        <source>We need a little help to find you.</source>
        <translation>Necesitamos ayuda para encontrarle.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="19" />
        <source>No problem.</source>
        <translation>No hay problema.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="20" />
        <source>Sorry, something went wrong.</source>
        <translation>Lo sentimos, algo salió mal.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="25" />
        <source>Please check what you entered and try again, or see the front desk.</source>
        <translation>Revise lo que escribió e inténtelo de nuevo, o pase a recepción.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="26" />
        <source>Please see the front desk if you think this is wrong.</source>
        <translation>Pase a recepción si cree que es un error.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="27" />
        <source>Check-in opens at %1. Please come back then, or see the front desk.</source>
        <translation>El registro abre a las %1. Vuelva a esa hora o pase a recepción.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="28" />
        <source>Please see the front desk. They will help you.</source>
        <translation>Pase a recepción. Le ayudarán.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="29" />
        <source>Please have a seat. If you have a question, see the front desk.</source>
        <translation>Tome asiento. Si tiene alguna pregunta, pase a recepción.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="30" />
        <source>Please see the front desk.</source>
        <translation>Por favor, pase a recepción.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="31" />
        <source>Please try again, or see the front desk.</source>
        <translation>Inténtelo de nuevo o pase a recepción.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="32" />
        <source>You are not checked in yet. Please see the front desk.</source>
        <translation>Aún no está registrado. Pase a recepción.</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="60" />
        <source>Start over</source>
        <translation>Empezar de nuevo</translation>
    </message>
    <message>
        <location filename="../qml/MessageScreen.qml" line="68" />
        <source>Done</source>
        <translation>Listo</translation>
    </message>
</context>
<context>
    <name>OutcomeScreen</name>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="13" />
        <source>%1 is running about %2 minutes late.</source>
        <translation>%1 lleva unos %2 minutos de retraso.</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="14" />
        <source>Sorry, %1 is not in the office today.</source>
        <translation>Lo sentimos, %1 no está hoy en la consulta.</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="15" />
        <source>You are checked in, %1!</source>
        <translation>¡Ya está registrado, %1!</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="18" />
        <source>Your new estimated time is %1. Would you like to wait here, or leave and come back?</source>
        <translation>Su nueva hora estimada es las %1. ¿Prefiere esperar aquí, o irse y volver?</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="19" />
        <source>Your visit is not lost. What would you like to do?</source>
        <translation>No pierde su cita. ¿Qué desea hacer?</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="20" />
        <source>Please have a seat. We cannot estimate your wait right now.</source>
        <translation>Tome asiento. Ahora no podemos calcular su espera.</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="21" />
        <source>%1 is on time. Please have a seat; you will be called shortly.</source>
        <translation>%1 va a tiempo. Tome asiento; le llamarán en breve.</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="22" />
        <source>%1 is on time. Estimated wait: about %2 minutes (around %3). Please have a seat.</source>
        <translation>%1 va a tiempo. Espera estimada: unos %2 minutos (hacia las %3). Tome asiento.</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="25" />
        <source>I will wait here</source>
        <translation>Esperaré aquí</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="26" />
        <source>I will come back later</source>
        <translation>Volveré más tarde</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="27" />
        <source>See %1 instead</source>
        <translation>Consulta con %1</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="28" />
        <source>Talk to the front desk</source>
        <translation>Hablar con recepción</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="29" />
        <source>Ask for a new appointment</source>
        <translation>Pedir otra cita</translation>
    </message>
    <message>
        <location filename="../qml/OutcomeScreen.qml" line="77" />
        <source>Done</source>
        <translation>Listo</translation>
    </message>
</context>
<context>
    <name>StaleNote</name>
    <message>
        <location filename="../qml/StaleNote.qml" line="10" />
        <source>Schedule last updated %1 minutes ago. Please ask the front desk about timing.</source>
        <translation>Agenda actualizada hace %1 minutos. Pregunte en recepción por la hora.</translation>
    </message>
</context>
<context>
    <name>TicketNote</name>
    <message>
        <location filename="../qml/TicketNote.qml" line="9" />
        <source>Printing your ticket...</source>
        <translation>Imprimiendo su comprobante...</translation>
    </message>
    <message>
        <location filename="../qml/TicketNote.qml" line="10" />
        <source>Please take your ticket.</source>
        <translation>Recoja su comprobante.</translation>
    </message>
    <message>
        <location filename="../qml/TicketNote.qml" line="11" />
        <source>Your ticket could not be printed. You are still checked in.</source>
        <translation>No se pudo imprimir el comprobante. Su registro sí quedó hecho.</translation>
    </message>
</context>
<context>
    <name>TopBar</name>
    <message>
        <location filename="../qml/TopBar.qml" line="49" />
        <source>Help is coming</source>
        <translation>Ya viene ayuda</translation>
    </message>
    <message>
        <location filename="../qml/TopBar.qml" line="49" />
        <source>Call staff</source>
        <translation>Pedir ayuda</translation>
    </message>
    <message>
        <location filename="../qml/TopBar.qml" line="1" />
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
</context>
<context>
    <name>WelcomeScreen</name>
    <message>
        <location filename="../qml/WelcomeScreen.qml" line="16" />
        <source>Welcome! How would you like to check in?</source>
        <translation>¡Bienvenido! ¿Cómo desea registrarse?</translation>
    </message>
    <message>
        <location filename="../qml/WelcomeScreen.qml" line="29" />
        <source>With my date of birth</source>
        <translation>Con mi fecha de nacimiento</translation>
    </message>
    <message>
        <location filename="../qml/WelcomeScreen.qml" line="38" />
        <source>With my confirmation code</source>
        <translation>Con mi código de confirmación</translation>
    </message>
    <message>
        <location filename="../qml/WelcomeScreen.qml" line="46" />
        <source>Have a QR code from your reminder? Hold it up to the camera.</source>
        <translation>¿Tiene un código QR de su recordatorio? Muéstrelo a la cámara.</translation>
    </message>
    <message>
        <location filename="../qml/WelcomeScreen.qml" line="52" />
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>Greeting</name>
    <message>
        <location filename="../qml/Greeting.qml" line="9"/>
        <source>Good morning</source>
        <translation>Buenos días</translation>
    </message>
    <message>
        <location filename="../qml/Greeting.qml" line="10"/>
        <source>Good afternoon</source>
        <translation>Buenas tardes</translation>
    </message>
    <message>
        <location filename="../qml/Greeting.qml" line="11"/>
        <source>Good evening</source>
        <translation>Buenas noches</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../qml/Main.qml" line="1" />
        <source>Slide up for more</source>
        <translation>Deslice hacia arriba para ver más</translation>
    </message>
</context>
</TS>